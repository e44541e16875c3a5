<?php

declare(strict_types=1);

namespace JustClick\Pure;

/**
 * What one HTTP exchange of {@see Transport} has read so far.
 *
 * @internal
 */
final class Exchange
{
    public string $body = '';

    public bool $tooLarge = false;

    public ?string $location = null;
}
