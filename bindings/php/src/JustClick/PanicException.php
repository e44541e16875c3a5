<?php

declare(strict_types=1);

namespace JustClick;

/**
 * A bug inside libjustclick was caught at its boundary: the call failed but
 * the PHP process did not crash. Please report the message.
 */
class PanicException extends \RuntimeException implements ExceptionInterface
{
}
