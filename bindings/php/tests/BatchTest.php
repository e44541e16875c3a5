<?php

declare(strict_types=1);

namespace JustClick\Tests;

use JustClick\ApiException;
use JustClick\Client;
use JustClick\HttpStatusException;
use JustClick\InvalidArgumentException;
use JustClick\TimeoutException;
use JustClick\Tests\Support\Sandbox;

/**
 * callBatch(): results in input order under the input keys, each either the
 * result or the exception object of that call; rate-limit retries only for
 * idempotent calls.
 */
final class BatchTest extends TestCase
{
    protected function setUp(): void
    {
        self::sandbox()->reset();
    }

    public function testMixedOutcomesKeepKeysAndOrder(): void
    {
        $jc = self::client();
        $results = $jc->callBatch([
            'bills' => ['method' => 'GetBills', 'params' => ['email' => 'client@example.com', 'pay_status' => 'paid']],
            'gone' => ['method' => 'DeleteOrder', 'params' => ['bill_id' => '424242']],
            7 => ['method' => 'SandboxEcho', 'params' => ['rid' => ['g1', 'g2'], 'name' => 'Иван 😀']],
            'unknown' => ['method' => 'NoSuchMethod'],
            'invalid' => ['method' => 'Bad-Method'],
            'deleted' => ['method' => 'DeleteOrder', 'params' => ['bill_id' => '1111'], 'idempotent' => false],
            'no params' => ['method' => 'GetAllGoods'],
        ], 3);

        self::assertSame(['bills', 'gone', 7, 'unknown', 'invalid', 'deleted', 'no params'], array_keys($results));

        self::assertSame([258367, 258368], array_keys($results['bills']));
        self::assertInstanceOf(ApiException::class, $results['gone']);
        self::assertSame(200, $results['gone']->getCode());
        self::assertSame('Заказ не существует', $results['gone']->getMessage());
        self::assertSame(['rid' => ['g1', 'g2'], 'name' => 'Иван 😀'], $results[7]);
        self::assertInstanceOf(HttpStatusException::class, $results['unknown']);
        self::assertSame(404, $results['unknown']->getHttpStatus());
        self::assertInstanceOf(InvalidArgumentException::class, $results['invalid']);
        self::assertNull($results['deleted'], 'DeleteOrder has no result: null means success');
        self::assertCount(4, $results['no params']);

        // Telling success from failure per call, as documented.
        $failed = array_keys(array_filter($results, static fn ($r) => $r instanceof \JustClick\ExceptionInterface));
        self::assertSame(['gone', 'unknown', 'invalid'], $failed);
    }

    public function testBatchTimeoutLeavesUnstartedCallsUnsent(): void
    {
        $sb = Sandbox::start(['--delay-ms', '300']);
        $jc = new Client('demo', $sb->secret, $sb->options(['batch_timeout_ms' => 500]));
        $calls = [];
        for ($i = 0; $i < 8; $i++) {
            $calls[] = ['method' => 'SandboxEcho', 'params' => ['i' => $i]];
        }
        // 8 calls of 300 ms one at a time take 2.4 s: some are never started.
        $results = $jc->callBatch($calls, 1);
        $sent = 0;
        $unsent = 0;
        foreach ($results as $i => $r) {
            if ($r instanceof TimeoutException) {
                self::assertStringStartsWith('not sent: ', $r->getMessage());
                $unsent++;
            } else {
                self::assertSame(['i' => (string) $i], $r);
                $sent++;
            }
        }
        self::assertGreaterThan(0, $unsent);
        self::assertSame($sent, $sb->stats()['requests'], 'unsent calls never reach the server');
        $sb->stop();
    }

    public function testBatchTimeoutDefaultsToTheRemainingMaxExecutionTime(): void
    {
        self::assertNull(Client::remainingExecutionMs(), 'CLI: max_execution_time is 0');
        $sb = Sandbox::start(['--delay-ms', '300']);
        $calls = array_fill(0, 10, ['method' => 'SandboxEcho']);
        // A CPU-time limit of 2 s (blocking in the library uses none) leaves
        // at most 2 s for the batch, which needs 3 s one call at a time.
        set_time_limit(2);
        try {
            $ms = Client::remainingExecutionMs();
            self::assertNotNull($ms);
            self::assertGreaterThanOrEqual(1, $ms);
            self::assertLessThanOrEqual(2000, $ms);
            $results = (new Client('demo', $sb->secret, $sb->options()))->callBatch($calls, 1);
        } finally {
            set_time_limit(0);
        }
        $unsent = array_filter($results, static fn ($r) => $r instanceof TimeoutException);
        self::assertNotEmpty($unsent, 'the default deadline reached the library');
        // An explicit null means no deadline.
        set_time_limit(2);
        try {
            $jc = new Client('demo', $sb->secret, $sb->options(['batch_timeout_ms' => null]));
        } finally {
            set_time_limit(0);
        }
        self::assertSame(
            ['i' => '1'],
            $jc->callBatch([['method' => 'SandboxEcho', 'params' => ['i' => 1]]], 1)[0]
        );
        $sb->stop();
        $this->expectException(InvalidArgumentException::class);
        $this->expectExceptionMessage('batch_timeout_ms');
        new Client('demo', self::sandbox()->secret, self::sandbox()->options(['batch_timeout_ms' => 0]));
    }

    public function testManyCallsInOrderOverFewConnections(): void
    {
        $sb = Sandbox::start(['--delay-ms', '5']);
        $jc = new Client('demo', $sb->secret, $sb->options());
        $calls = [];
        for ($i = 0; $i < 200; $i++) {
            $calls[] = ['method' => 'SandboxEcho', 'params' => ['i' => $i, 'text' => str_repeat('ж', $i % 17)]];
        }
        $results = $jc->callBatch($calls, 8);
        self::assertTrue(array_is_list($results));
        foreach ($results as $i => $r) {
            self::assertSame(['i' => (string) $i, 'text' => str_repeat('ж', $i % 17)], $r);
        }
        $stats = $sb->stats();
        self::assertSame(200, $stats['requests']);
        self::assertLessThanOrEqual(8, $stats['api_connections'], 'at most `concurrency` kept-alive connections');
        $sb->stop();
    }

    public function testRateLimitIsRetriedOnlyForIdempotentCalls(): void
    {
        $sb = Sandbox::start(['--fault', 'rate-limit']);
        $jc = new Client('demo', $sb->secret, $sb->options(['rate_limit_retries' => 2, 'rate_limit_backoff_ms' => 1]));
        $results = $jc->callBatch([
            'read' => ['method' => 'GetBills', 'params' => ['email' => 'client@example.com']],
            'write' => ['method' => 'AddLeadToGroup', 'params' => ['lead_email' => 'a@example.com']],
            'marked' => ['method' => 'AddLeadToGroup', 'params' => ['lead_email' => 'b@example.com'], 'idempotent' => true],
        ], 1);
        foreach ($results as $key => $r) {
            self::assertInstanceOf(ApiException::class, $r, $key);
            self::assertSame(8, $r->getCode(), $key);
        }
        $by = $sb->stats()['by_method'];
        self::assertSame(3, $by['GetBills'], 'GetBills: 1 try + 2 retries');
        self::assertSame(1 + 3, $by['AddLeadToGroup'], 'unmarked write tried once, marked one 3 times');
        $sb->stop();
    }

    public function testRateLimitRetrySucceedsWhenTheLimitPasses(): void
    {
        $sb = Sandbox::start(['--fault', 'rate-limit', '--fault-rate', '0.5', '--seed', '3']);
        $jc = new Client('demo', $sb->secret, $sb->options(['rate_limit_retries' => 10, 'rate_limit_backoff_ms' => 1]));
        $calls = array_fill(0, 20, ['method' => 'GetAllGoods', 'idempotent' => true]);
        $results = $jc->callBatch($calls, 4);
        foreach ($results as $r) {
            self::assertIsArray($r, 'every idempotent call got through within 10 retries');
            self::assertCount(4, $r);
        }
        self::assertGreaterThan(20, $sb->stats()['requests'], 'some calls were retried');
        $sb->stop();
    }

    public function testOneFailureNeverFailsTheOthers(): void
    {
        $sb = Sandbox::start(['--fault', 'http502', '--fault-rate', '0.3', '--seed', '11']);
        $jc = new Client('demo', $sb->secret, $sb->options());
        $results = $jc->callBatch(array_fill(0, 40, ['method' => 'SandboxEcho', 'params' => ['x' => '1']]), 5);
        $ok = array_filter($results, static fn ($r) => $r === ['x' => '1']);
        $bad = array_filter($results, static fn ($r) => $r instanceof HttpStatusException && $r->getHttpStatus() === 502);
        self::assertSame(40, count($ok) + count($bad));
        self::assertGreaterThan(0, count($ok));
        self::assertGreaterThan(0, count($bad));
        $sb->stop();
    }
}
