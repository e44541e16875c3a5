<?php

declare(strict_types=1);

namespace JustClick;

/**
 * The server answered with an HTTP status other than 200 (e.g. 502 from a
 * gateway, 404 for an unknown method, or a redirect, which is never
 * followed because a signed POST must not be replayed elsewhere).
 *
 * getHttpStatus() (and getCode()) is the HTTP status.
 */
class HttpStatusException extends \RuntimeException implements ExceptionInterface
{
    /**
     * @param string          $message    the library's description
     * @param int             $httpStatus the HTTP status received
     * @param \Throwable|null $previous   chained exception, if any
     */
    public function __construct(string $message, int $httpStatus, ?\Throwable $previous = null)
    {
        parent::__construct($message, $httpStatus, $previous);
    }

    /**
     * The HTTP status the server answered with.
     */
    public function getHttpStatus(): int
    {
        return $this->getCode();
    }
}
