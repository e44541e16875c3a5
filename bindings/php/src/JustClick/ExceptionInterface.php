<?php

declare(strict_types=1);

namespace JustClick;

/**
 * Marker interface of every exception this library throws (or, in a batch,
 * returns): `catch (\JustClick\ExceptionInterface $e)` catches them all.
 *
 * The concrete classes, one per outcome of the C library:
 *
 * | class                    | extends                     | when                                           |
 * |--------------------------|-----------------------------|------------------------------------------------|
 * | ApiException             | \RuntimeException           | the service answered error_code != 0 (signed)  |
 * | TransportException       | \RuntimeException           | DNS, connect, TLS or I/O failure               |
 * | TimeoutException         | \RuntimeException           | the connect or overall timeout fired           |
 * | HttpStatusException      | \RuntimeException           | HTTP status other than 200 (no redirects)      |
 * | BadResponseException     | \RuntimeException           | not a JustClick answer (HTML, truncated, ...)  |
 * | BadSignatureException    | \RuntimeException           | the answer's hash is missing or wrong          |
 * | InvalidArgumentException | \InvalidArgumentException   | an argument was rejected before any traffic    |
 * | PanicException           | \RuntimeException           | a bug inside libjustclick was caught (no crash)|
 * | LibraryException         | \RuntimeException           | libjustclick or PHP FFI cannot be loaded       |
 *
 * Messages never contain the API secret.
 */
interface ExceptionInterface extends \Throwable
{
}
