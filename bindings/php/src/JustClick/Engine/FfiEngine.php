<?php

declare(strict_types=1);

namespace JustClick\Engine;

use FFI;
use FFI\CData;
use JustClick\BadResponseException;
use JustClick\ExceptionInterface;
use JustClick\Library;
use JustClick\LibraryException;
use JustClick\Outcome;
use JustClick\PanicException;
use JustClick\Pure\Validate;
use JustClick\Pure\Wire;

/**
 * The fast path: libjustclick through PHP FFI. Owns one native jc_client;
 * the secret is handed to the library once and never kept in PHP.
 *
 * @internal
 */
final class FfiEngine implements Engine
{
    /** Options handled here; all others go to jc_client_new(). */
    public const PHP_OPTIONS = ['lib', 'header', 'scope', 'ffi'];

    private FFI $ffi;

    /** @var CData|null the jc_client*; null once freed */
    private ?CData $handle = null;

    private string $library;

    /**
     * @param array<string, mixed> $native options for jc_client_new()
     * @param array<string, mixed> $php    the options of {@see PHP_OPTIONS} that were given
     *
     * @throws LibraryException when libjustclick cannot be loaded
     */
    public function __construct(
        string $login,
        #[\SensitiveParameter] string $secret,
        #[\SensitiveParameter] array $native,
        array $php
    )
    {
        [$this->ffi, $this->library] = self::openLibrary($php);
        Library::checkVersion($this->ffi, $this->library);
        $json = Validate::encodable((object) $native, 'options');
        try {
            $handle = $this->ffi->new('jc_client*');
            if ($handle === null) {
                throw new PanicException('FFI could not allocate a jc_client pointer');
            }
            $status = $this->ffi->jc_client_new($login, $secret, $json, FFI::addr($handle));
            if ($status !== 0) {
                throw $this->lastFailure($status);
            }
        } catch (\FFI\Exception $e) {
            throw $this->ffiException($e);
        }
        if (FFI::isNull($handle)) {
            throw new PanicException('jc_client_new succeeded but returned no client');
        }
        $this->handle = $handle;
    }

    /**
     * Whether the FFI engine can load here without the options of
     * {@see PHP_OPTIONS}: the extension is loaded and enabled for this
     * context, and the scope is preloaded or the library and its header
     * are found. Never throws, never warns (the `auto` engine asks this).
     */
    public static function available(): bool
    {
        return Library::loadable();
    }

    public function __destruct()
    {
        $this->close();
    }

    public function close(): void
    {
        if ($this->handle !== null) {
            $handle = $this->handle;
            $this->handle = null;
            $this->ffi->jc_client_free($handle);
        }
    }

    private function __clone()
    {
    }

    public function name(): string
    {
        return 'ffi';
    }

    public function library(): string
    {
        return $this->library;
    }

    public function libraryVersion(): string
    {
        return $this->ffi->jc_version();
    }

    public function deleteOrder(string $billId): array
    {
        return $this->run('jc_delete_order', [$billId]);
    }

    public function updateOrderStatus(string $billId, string $status, int $date, ?string $rpo): array
    {
        return $this->run('jc_update_order_status', [$billId, $status, $date, $rpo]);
    }

    public function getBills(string $email, ?string $payStatus): array
    {
        return $this->run('jc_get_bills', [$email, $payStatus]);
    }

    public function updateGood(array $good): array
    {
        return $this->run('jc_update_good', [Validate::encodable((object) $good, 'good')]);
    }

    public function method(string $snake, array $params): array
    {
        $json = $params === [] ? null : Validate::encodable((object) $params, 'params');
        return $this->run("jc_$snake", [$json]);
    }

    public function call(string $method, array $params): array
    {
        $json = $params === [] ? null : Validate::encodable((object) self::phpFloats($params), 'params');
        return $this->run('jc_call', [$method, $json]);
    }

    public function verifyNotification(string $body): array
    {
        // Passed with its length: NUL bytes and anything else stay data.
        return $this->run('jc_verify_notification', [$body, strlen($body)], false, true);
    }

    public function batch(array $calls, int $concurrency): array
    {
        $list = [];
        foreach ($calls as $call) {
            $call['params'] = (object) self::phpFloats($call['params']);
            $list[] = $call;
        }
        $docs = $this->run('jc_call_batch', [Validate::encodable($list, 'calls'), $concurrency], true);
        if (!array_is_list($docs) || count($docs) !== count($list)) {
            throw new BadResponseException(sprintf(
                'jc_call_batch returned %d outcomes for %d calls',
                count($docs),
                count($list)
            ));
        }
        $out = [];
        foreach ($docs as $doc) {
            $out[] = is_array($doc) && ($doc['ok'] ?? false) === true
                ? $doc
                : Outcome::exception(is_array($doc) ? $doc : []);
        }
        return $out;
    }

    /**
     * Runs one C call that ends with a `char **out_json`, frees the string
     * and returns the success document (or, for a batch, the array of
     * documents).
     *
     * @param string      $function     the jc_* function
     * @param list<mixed> $args         its arguments before out_json
     * @param bool        $batch        the answer is a list of documents
     * @param bool        $notification the success document is a notification's (no error_text)
     *
     * @return array<array-key, mixed>
     */
    private function run(string $function, array $args, bool $batch = false, bool $notification = false): array
    {
        if ($this->handle === null) {
            throw new \LogicException('this JustClick\Client has been freed');
        }
        try {
            $out = $this->ffi->new('char*');
            if ($out === null) {
                throw new PanicException('FFI could not allocate a char pointer');
            }
            array_unshift($args, $this->handle);
            $args[] = FFI::addr($out);
            $json = null;
            try {
                $status = $this->ffi->$function(...$args);
                if (!FFI::isNull($out)) {
                    $json = FFI::string($out);
                }
            } finally {
                if (!FFI::isNull($out)) {
                    $this->ffi->jc_string_free($out);
                }
            }
            if ($json === null) {
                throw $this->lastFailure($status);
            }
        } catch (\FFI\Exception $e) {
            throw $this->ffiException($e);
        }
        $doc = Outcome::decode($json);
        if ($batch && $status === 0 && array_is_list($doc)) {
            return $doc;
        }
        if (($doc['ok'] ?? null) !== true || $status !== 0) {
            if (($doc['ok'] ?? null) === true) {
                $doc = [
                    'ok' => false,
                    'status' => 'panic',
                    'message' => "$function returned status $status with a success document",
                ];
            }
            throw Outcome::exception($doc);
        }
        if (!$notification && !is_string($doc['error_text'] ?? null)) {
            throw new BadResponseException("$function returned a document without error_text");
        }
        return $doc;
    }

    /**
     * The failure of a call that wrote no document: its status and the
     * library's message for this thread (jc_last_error_message).
     */
    private function lastFailure(int $status): ExceptionInterface
    {
        return Outcome::exception([
            'ok' => false,
            'status' => $this->ffi->jc_status_name($status),
            'message' => $this->ffi->jc_last_error_message(),
        ]);
    }

    /**
     * \FFI\Exception (and \FFI\ParserException) would escape
     * `catch (ExceptionInterface)`: they mean the FFI instance does not
     * declare what this binding calls (a user's `ffi`, a stale header).
     */
    private function ffiException(\FFI\Exception $e): LibraryException
    {
        return new LibraryException(sprintf(
            '%s does not declare what the JustClick binding needs (%s: %s); use the header of this '
            . 'library version (include/justclick_php.h, or regenerate it with ffi-header.php)',
            $this->library,
            get_class($e),
            $e->getMessage()
        ), 0, $e);
    }

    /**
     * @param array<string, mixed> $options the options of {@see PHP_OPTIONS} (null values already dropped)
     *
     * @return array{0: FFI, 1: string}
     */
    private static function openLibrary(array $options): array
    {
        if (isset($options['ffi'])) {
            return [$options['ffi'], 'FFI instance given by the caller'];
        }
        if (isset($options['scope'])) {
            return [Library::fromScope($options['scope']), "FFI::scope({$options['scope']})"];
        }
        if (!isset($options['lib']) && !isset($options['header'])) {
            $scoped = Library::tryScope();
            if ($scoped !== null) {
                return [$scoped, 'FFI::scope(' . Library::SCOPE . ')'];
            }
        }
        $ffi = Library::fromPath($options['lib'] ?? null, $options['header'] ?? null);
        $path = realpath($options['lib'] ?? Library::defaultPath());
        return [$ffi, "FFI::cdef($path)"];
    }

    /**
     * `$params` with every whole float of 1e14 or more written as PHP's
     * http_build_query writes it (`1.0E+15`), as a string. json_encode would
     * write it as an integer (1000000000000000), which the library would
     * send as one, unlike PHP and the pure-PHP engine. Only the generic
     * calls: the table's methods validate their numbers as such.
     *
     * @param array<array-key, mixed> $params
     *
     * @return array<array-key, mixed>
     */
    private static function phpFloats(array $params): array
    {
        foreach ($params as $k => $v) {
            if (is_float($v) && is_finite($v) && abs($v) >= 1e14 && floor($v) === $v) {
                $params[$k] = urldecode(Wire::float($v));
            } elseif (is_array($v)) {
                $params[$k] = self::phpFloats($v);
            }
        }
        return $params;
    }
}
