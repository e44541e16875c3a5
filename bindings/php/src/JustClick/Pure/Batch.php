<?php

declare(strict_types=1);

namespace JustClick\Pure;

use JustClick\ApiException;
use JustClick\ExceptionInterface;
use JustClick\TimeoutException;

/**
 * One callBatch() of the pure-PHP engine on curl_multi, with the library's
 * rules (src/batch.rs): at most `concurrency` calls in flight, taken in
 * order; a call not started by the batch deadline is never sent
 * ("not sent: ..."); API error 8 is retried with exponential backoff and
 * jitter when the call may be sent twice (the table's `idempotent`, or the
 * call's own flag), and a retry that would start after the deadline is
 * not made. A call waiting for its retry keeps its slot, as a library
 * worker sleeping does. Results in input order.
 *
 * @internal
 */
final class Batch
{
    /** Retried, with backoff, when the method may be sent twice. */
    private const RATE_LIMIT_CODE = 8;

    /** Longest single wait, so a retry's time is never overslept. */
    private const MAX_WAIT_S = 1.0;

    /** @var array<int, array<array-key, mixed>|ExceptionInterface> */
    private array $results = [];

    public function __construct(
        private Engine $engine,
        private Transport $transport,
        private Options $options
    ) {
    }

    /**
     * @param list<array{method: string, params: array<array-key, mixed>, idempotent?: bool}> $calls
     *
     * @return list<array<array-key, mixed>|ExceptionInterface>
     */
    public function run(array $calls, int $concurrency): array
    {
        $deadline = $this->options->batchTimeoutMs === null
            ? null
            : hrtime(true) + $this->options->batchTimeoutMs * 1_000_000;
        $multi = $this->transport->multi();
        $next = 0;
        /** @var array<int, array{0: \CurlHandle, 1: Exchange, 2: int}> $flight handle id => [handle, exchange, call] */
        $flight = [];
        /** @var array<int, int> $waiting call => when its retry starts (hrtime ns) */
        $waiting = [];
        /** @var array<int, int> $attempts call => retries made */
        $attempts = [];
        $count = count($calls);
        while ($next < $count || $flight !== [] || $waiting !== []) {
            $now = hrtime(true);
            foreach ($waiting as $i => $at) {
                if ($at <= $now) {
                    unset($waiting[$i]);
                    $this->start($multi, $flight, $calls[$i], $i);
                }
            }
            while ($next < $count && count($flight) + count($waiting) < $concurrency) {
                $i = $next++;
                if ($deadline !== null && hrtime(true) >= $deadline) {
                    $this->results[$i] = new TimeoutException(sprintf(
                        'not sent: the batch deadline (batch_timeout_ms = %d) passed before this call started',
                        $this->options->batchTimeoutMs
                    ));
                    continue;
                }
                $attempts[$i] = 0;
                $this->start($multi, $flight, $calls[$i], $i);
            }
            if ($flight === []) {
                if ($waiting !== []) {
                    $wake = min($waiting);
                    $sleep = $wake - hrtime(true);
                    if ($sleep > 0) {
                        usleep((int) ceil($sleep / 1000));
                    }
                }
                continue;
            }
            do {
                $status = curl_multi_exec($multi, $running);
            } while ($status === CURLM_CALL_MULTI_PERFORM);
            while (($info = curl_multi_info_read($multi)) !== false) {
                $ch = $info['handle'];
                [, $ex, $i] = $flight[spl_object_id($ch)];
                unset($flight[spl_object_id($ch)]);
                curl_multi_remove_handle($multi, $ch);
                $outcome = $this->finish($calls[$i], $ch, $ex, (int) $info['result']);
                $retry = $outcome instanceof ApiException && $outcome->getCode() === self::RATE_LIMIT_CODE
                    && self::retryable($calls[$i]) && $attempts[$i] < $this->options->rateLimitRetries;
                if ($retry) {
                    $delay = self::backoffNs($this->options->rateLimitBackoffMs, $attempts[$i]);
                    if ($deadline === null || hrtime(true) + $delay < $deadline) {
                        $attempts[$i]++;
                        $waiting[$i] = hrtime(true) + $delay;
                        continue;
                    }
                }
                $this->results[$i] = $outcome;
            }
            if ($running > 0 || $flight !== []) {
                $wait = self::MAX_WAIT_S;
                if ($waiting !== []) {
                    $wait = max(0.0, min($wait, (min($waiting) - hrtime(true)) / 1e9));
                }
                if (curl_multi_select($multi, $wait) === -1) {
                    usleep(1000);
                }
            }
        }
        ksort($this->results);
        return array_values($this->results);
    }

    /**
     * Sends one call, or records why it cannot be sent.
     *
     * @param array<int, array{0: \CurlHandle, 1: Exchange, 2: int}>            $flight
     * @param array{method: string, params: array<array-key, mixed>, idempotent?: bool} $call
     */
    private function start(\CurlMultiHandle $multi, array &$flight, array $call, int $i): void
    {
        try {
            [$url, $body] = $this->engine->prepare($call['method'], $call['params']);
        } catch (ExceptionInterface $e) {
            $this->results[$i] = $e;
            return;
        }
        [$ch, $ex] = $this->transport->open($url, $body);
        curl_multi_add_handle($multi, $ch);
        $flight[spl_object_id($ch)] = [$ch, $ex, $i];
    }

    /**
     * @param array{method: string, params: array<array-key, mixed>, idempotent?: bool} $call
     *
     * @return array<array-key, mixed>|ExceptionInterface
     */
    private function finish(array $call, \CurlHandle $ch, Exchange $ex, int $errno): array|ExceptionInterface
    {
        try {
            return $this->engine->answer($call['method'], $this->transport->close($ch, $ex, $errno));
        } catch (ExceptionInterface $e) {
            return $e;
        }
    }

    /** @param array{method: string, params: array<array-key, mixed>, idempotent?: bool} $call */
    private static function retryable(array $call): bool
    {
        return ($call['idempotent'] ?? false) || (Table::METHODS[$call['method']]['idempotent'] ?? false);
    }

    /** base * 2^attempt plus up to a quarter of that at random, at most 30 s (the library's backoff). */
    private static function backoffNs(int $baseMs, int $attempt): int
    {
        $exp = $baseMs * 1_000_000 * (1 << min($attempt, 16));
        $jitter = random_int(0, intdiv($exp, 4));
        return min($exp + $jitter, 30_000_000_000);
    }
}
