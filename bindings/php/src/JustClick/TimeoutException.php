<?php

declare(strict_types=1);

namespace JustClick;

/**
 * The connect timeout (option `connect_timeout_ms`) or the overall timeout
 * (option `timeout_ms`, DNS through the last body byte) fired. The request
 * may or may not have reached the service.
 */
class TimeoutException extends \RuntimeException implements ExceptionInterface
{
}
