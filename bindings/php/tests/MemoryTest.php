<?php

declare(strict_types=1);

namespace JustClick\Tests;

use FFI;
use JustClick\ApiException;
use JustClick\Client;
use JustClick\Library;
use JustClick\Tests\Support\Sandbox;

/**
 * 10,000 calls in one PHP process do not grow memory: neither PHP's heap
 * (memory_get_usage) nor the process's resident set (VmRSS, which includes
 * what libjustclick allocates with malloc).
 *
 * Bounds. Each call below returns a JSON document of about 250 bytes (a
 * 200-byte payload echoed back, or an API error document); forgetting to
 * free one string per call leaks >= 10,000 x 250 B = 2.4 MiB of malloc'd
 * memory, and keeping one PHP string or CData per call grows PHP's heap by
 * about as much. Measured on a quiet run after a warm-up of 1,000 calls:
 * PHP heap +32 B, RSS +4 KiB. So:
 *   - PHP heap growth must stay under 64 KiB (40x below a leak, far above
 *     the noise);
 *   - RSS growth must stay under 1 MiB (2.4x below a leak; RSS moves in
 *     4 KiB pages and with allocator arenas, so it needs more room).
 * testTheBoundCatchesALeak proves the RSS bound fires on exactly such a
 * leak (one unfreed string per call), so the bound is not vacuous.
 *
 * About the FFI engine, or drives both engines itself: run once.
 *
 * @group once
 */
final class MemoryTest extends TestCase
{
    private const CALLS = 10000;

    private const WARM_UP = 1000;

    private const MAX_HEAP_GROWTH = 64 * 1024;

    private const MAX_RSS_GROWTH = 1024 * 1024;

    /** 200 bytes, echoed back by SandboxEcho. */
    private const PAYLOAD_BYTES = 200;

    /** @return array{payload: string} */
    private static function payload(): array
    {
        return ['payload' => str_repeat('x', self::PAYLOAD_BYTES)];
    }

    private static function rss(): int
    {
        $status = (string) file_get_contents('/proc/self/status');
        if (preg_match('/^VmRSS:\s+(\d+) kB$/m', $status, $m) !== 1) {
            self::fail('no VmRSS in /proc/self/status');
        }
        return (int) $m[1] * 1024;
    }

    /** Every 10th call fails (ApiException), the others succeed. */
    private static function calls(Client $jc, int $n): int
    {
        $payload = self::payload();
        $failures = 0;
        for ($i = 0; $i < $n; $i++) {
            if ($i % 10 === 0) {
                try {
                    $jc->deleteOrder('no-such-order');
                } catch (ApiException $e) {
                    $failures++;
                }
            } else {
                $jc->call('SandboxEcho', $payload);
            }
        }
        return $failures;
    }

    public function testNoGrowthOver10000Calls(): void
    {
        $sb = Sandbox::start();
        $jc = new Client('demo', $sb->secret, $sb->options());
        self::calls($jc, self::WARM_UP);
        gc_collect_cycles();
        $heap = memory_get_usage();
        $rss = self::rss();

        $failures = self::calls($jc, self::CALLS);

        gc_collect_cycles();
        $heapGrowth = memory_get_usage() - $heap;
        $rssGrowth = self::rss() - $rss;
        self::assertSame(self::CALLS / 10, $failures);
        self::assertSame(self::WARM_UP + self::CALLS, $sb->stats()['requests']);
        self::assertLessThan(self::MAX_HEAP_GROWTH, $heapGrowth, "PHP heap grew by $heapGrowth bytes");
        self::assertLessThan(self::MAX_RSS_GROWTH, $rssGrowth, "RSS grew by $rssGrowth bytes");
        $sb->stop();
    }

    public function testTheBoundCatchesALeak(): void
    {
        // The same calls through raw FFI, deliberately never freeing the
        // returned string: RSS must grow past the bound used above.
        $sb = Sandbox::start();
        $ffi = Library::fromPath(Sandbox::lib());
        $handle = $ffi->new('jc_client*');
        self::assertSame(0, $ffi->jc_client_new('demo', $sb->secret, json_encode(['base_url' => $sb->baseUrl]), FFI::addr($handle)));
        $params = json_encode(self::payload());
        try {
            for ($i = 0; $i < self::WARM_UP; $i++) {
                $out = $ffi->new('char*');
                $ffi->jc_call($handle, 'SandboxEcho', $params, FFI::addr($out));
                $ffi->jc_string_free($out);
            }
            $rss = self::rss();
            for ($i = 0; $i < self::CALLS; $i++) {
                $out = $ffi->new('char*');
                self::assertSame(0, $ffi->jc_call($handle, 'SandboxEcho', $params, FFI::addr($out)));
                // leaked on purpose: no jc_string_free($out)
            }
            $rssGrowth = self::rss() - $rss;
        } finally {
            $ffi->jc_client_free($handle);
        }
        self::assertGreaterThan(self::MAX_RSS_GROWTH, $rssGrowth, "a leak of one string per call grew RSS by only $rssGrowth bytes");
        $sb->stop();
    }
}
