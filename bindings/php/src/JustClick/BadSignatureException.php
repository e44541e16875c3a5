<?php

declare(strict_types=1);

namespace JustClick;

/**
 * The answer's `hash` is missing or does not verify with the secret (wrong
 * secret, a proxy or attacker changed it, or a replayed answer). Nothing in
 * such an answer is trusted or returned.
 */
class BadSignatureException extends \RuntimeException implements ExceptionInterface
{
}
