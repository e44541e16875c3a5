<?php

declare(strict_types=1);

namespace JustClick;

/**
 * Turns libjustclick's JSON outcome documents into PHP values and
 * exceptions. The schema (see justclick.h):
 *
 *     success: {"ok":true,"error_code":0,"error_text":"...","result":<any>|null}
 *              + "outcome" ("already_exists", "already_registered", "unknown") on a
 *                documented special success of a per-method call
 *     failure: {"ok":false,"status":"<name>","message":"..."}
 *              + "error_code","error_text" when status is "api"
 *              + "http_status"             when status is "http_status"
 *
 * @internal used by {@see Client}; not part of the public API
 */
final class Outcome
{
    /** status name => exception class (names from jc_status_name()). */
    private const CLASSES = [
        'null_argument' => InvalidArgumentException::class,
        'invalid_argument' => InvalidArgumentException::class,
        'transport' => TransportException::class,
        'timeout' => TimeoutException::class,
        'bad_response' => BadResponseException::class,
        'bad_signature' => BadSignatureException::class,
        'panic' => PanicException::class,
    ];

    private function __construct()
    {
    }

    /**
     * Decodes a document written by libjustclick (objects as arrays, big
     * integers as strings rather than lossy floats).
     *
     * @return array<array-key, mixed>
     *
     * @throws BadResponseException if it is not a JSON object or list
     */
    public static function decode(string $json): array
    {
        try {
            $doc = json_decode($json, true, 1024, JSON_THROW_ON_ERROR | JSON_BIGINT_AS_STRING);
        } catch (\JsonException $e) {
            throw new BadResponseException('libjustclick returned malformed JSON: ' . $e->getMessage(), 0, $e);
        }
        if (!is_array($doc)) {
            throw new BadResponseException('libjustclick returned JSON that is not a document');
        }
        return $doc;
    }

    /**
     * The exception for a failure document (never thrown here).
     *
     * @param array<array-key, mixed> $doc a failure document
     */
    public static function exception(array $doc): ExceptionInterface
    {
        $status = is_string($doc['status'] ?? null) ? $doc['status'] : 'unknown';
        $message = is_string($doc['message'] ?? null) && $doc['message'] !== ''
            ? $doc['message']
            : "libjustclick reported \"$status\" without a message";
        if ($status === 'null_argument') {
            // The binding never passes NULL where the library forbids it.
            $message .= ' (a bug in the PHP binding; please report it)';
        }
        switch ($status) {
            case 'api':
                return new ApiException(
                    is_string($doc['error_text'] ?? null) ? $doc['error_text'] : $message,
                    self::int($doc['error_code'] ?? null)
                );
            case 'http_status':
                return new HttpStatusException($message, self::int($doc['http_status'] ?? null));
        }
        $class = self::CLASSES[$status] ?? null;
        if ($class === null) {
            return new LibraryException(
                "libjustclick reported an unknown status \"$status\" (is the PHP binding older than the "
                . "library?): $message"
            );
        }
        return new $class($message);
    }

    private static function int(mixed $v): int
    {
        if (is_int($v)) {
            return $v;
        }
        if (is_string($v) && preg_match('/^-?\d{1,18}$/', $v) === 1) {
            return (int) $v;
        }
        return 0;
    }
}
