<?php

// Deliberately without declare(strict_types=1): calls from this file use
// PHP's coercive typing mode, as most legacy shop code does.

namespace JustClick\Tests\Support;

use JustClick\Client;

final class Coercive
{
    /** Calls $client->$method(...$args) from a file in coercive mode. */
    public static function call(Client $client, string $method, array $args): mixed
    {
        return $client->$method(...$args);
    }
}
