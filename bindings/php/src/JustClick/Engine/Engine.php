<?php

declare(strict_types=1);

namespace JustClick\Engine;

use JustClick\ExceptionInterface;

/**
 * What serves a {@see \JustClick\Client}: libjustclick through FFI
 * ({@see FfiEngine}) or the pure-PHP engine ({@see \JustClick\Pure\Engine}).
 * Both answer with the library's success documents (see
 * {@see \JustClick\Outcome}) and throw the same exceptions with the same
 * messages, so the Client above them is one code path.
 *
 * Arguments arrive already checked by the Client (no NUL in strings,
 * order numbers as digits); everything the library checks, the engine
 * checks.
 *
 * @internal
 */
interface Engine
{
    /**
     * Frees what the engine holds (the native client; the secret and
     * connections of the pure engine, unless persistent). Idempotent; any
     * call afterwards throws \LogicException.
     */
    public function close(): void;

    /** `ffi` or `php`. */
    public function name(): string;

    /** Where the engine's code comes from, for messages and var_dump(). */
    public function library(): string;

    /** The version of the code that serves (libjustclick's, or the package's). */
    public function libraryVersion(): string;

    /** @return array<array-key, mixed> the success document */
    public function deleteOrder(string $billId): array;

    /**
     * @param int $date a UNIX timestamp, 0 for none
     *
     * @return array<array-key, mixed>
     */
    public function updateOrderStatus(string $billId, string $status, int $date, ?string $rpo): array;

    /** @return array<array-key, mixed> */
    public function getBills(string $email, ?string $payStatus): array;

    /**
     * @param array<array-key, mixed> $good
     *
     * @return array<array-key, mixed>
     */
    public function updateGood(array $good): array;

    /**
     * A method of the table, by its snake_case name (`create_order`).
     *
     * @param array<array-key, mixed> $params
     *
     * @return array<array-key, mixed>
     */
    public function method(string $snake, array $params): array;

    /**
     * The generic signed call (no validation of the parameters).
     *
     * @param array<array-key, mixed> $params
     *
     * @return array<array-key, mixed>
     */
    public function call(string $method, array $params): array;

    /** @return array<array-key, mixed> the notification document */
    public function verifyNotification(string $body): array;

    /**
     * @param list<array{method: string, params: array<array-key, mixed>, idempotent?: bool}> $calls
     *
     * @return list<array<array-key, mixed>|ExceptionInterface> per call, in order: a success document or the failure
     */
    public function batch(array $calls, int $concurrency): array;
}
