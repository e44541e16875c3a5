<?php

declare(strict_types=1);

namespace JustClick\Pure;

use JustClick\InvalidArgumentException;

/**
 * The client options of the pure-PHP engine, checked as libjustclick
 * checks them (src/options.rs, src/client.rs, src/transport.rs): the same
 * names, bounds, defaults and messages. Plain data, no secret.
 *
 * @internal
 */
final class Options
{
    public const DEFAULT_TIMEOUT_MS = 30_000;
    public const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
    public const DEFAULT_MAX_RESPONSE_BYTES = 8 << 20;
    public const DEFAULT_IDLE_TIMEOUT_MS = 30_000;
    private const MAX_SECRET_BYTES = 4096;

    /** Inclusive bounds per integer option. */
    private const RANGES = [
        'timeout_ms' => [1, 3_600_000],
        'connect_timeout_ms' => [1, 3_600_000],
        'idle_timeout_ms' => [1, 3_600_000],
        'batch_timeout_ms' => [1, 86_400_000],
        'rate_limit_backoff_ms' => [1, 60_000],
        'max_response_bytes' => [1, 1 << 30],
        'rate_limit_retries' => [0, 10],
    ];

    public ?string $baseUrl = null;
    public bool $allowInsecureHttp = false;
    public int $timeoutMs = self::DEFAULT_TIMEOUT_MS;
    public int $connectTimeoutMs = self::DEFAULT_CONNECT_TIMEOUT_MS;
    public ?string $caFile = null;
    /** null: from the environment; "": direct; else a proxy URL */
    public ?string $proxy = null;
    public string $userAgent;
    public int $maxResponseBytes = self::DEFAULT_MAX_RESPONSE_BYTES;
    public int $rateLimitRetries = 3;
    public int $rateLimitBackoffMs = 250;
    public bool $persistent = false;
    public int $idleTimeoutMs = self::DEFAULT_IDLE_TIMEOUT_MS;
    public ?int $batchTimeoutMs = null;

    private function __construct()
    {
        $this->userAgent = 'justclick/' . Table::VERSION;
    }

    /**
     * The options from the array jc_client_new would get as JSON (a null
     * value of a known option means "not given").
     *
     * @param array<array-key, mixed> $values
     *
     * @throws InvalidArgumentException with the library's message
     */
    public static function fromArray(#[\SensitiveParameter] array $values): self
    {
        $o = new self();
        foreach ($values as $key => $v) {
            $key = (string) $key;
            if ($v === null && in_array($key, Table::OPTION_NAMES, true)) {
                continue;
            }
            $o->set($key, $v);
        }
        return $o;
    }

    private function set(string $key, #[\SensitiveParameter] mixed $v): void
    {
        switch ($key) {
            case 'base_url':
                $this->baseUrl = self::string($key, $v);
                return;
            case 'allow_insecure_http':
            case 'persistent':
                if (!is_bool($v)) {
                    throw new InvalidArgumentException(
                        "option '$key' must be true or false, got " . self::typeName($v)
                    );
                }
                if ($key === 'persistent') {
                    $this->persistent = $v;
                } else {
                    $this->allowInsecureHttp = $v;
                }
                return;
            case 'timeout_ms':
                $this->timeoutMs = self::millis($key, $v);
                return;
            case 'connect_timeout_ms':
                $this->connectTimeoutMs = self::millis($key, $v);
                return;
            case 'idle_timeout_ms':
                $this->idleTimeoutMs = self::millis($key, $v);
                return;
            case 'rate_limit_backoff_ms':
                $this->rateLimitBackoffMs = self::millis($key, $v);
                return;
            case 'batch_timeout_ms':
                $this->batchTimeoutMs = self::millis($key, $v);
                return;
            case 'ca_file':
                $this->caFile = self::string($key, $v);
                return;
            case 'proxy':
                $this->proxy = self::string($key, $v);
                return;
            case 'user_agent':
                $this->userAgent = self::string($key, $v);
                return;
            case 'max_response_bytes':
                $this->maxResponseBytes = self::count($key, $v);
                return;
            case 'rate_limit_retries':
                $this->rateLimitRetries = self::count($key, $v);
                return;
        }
        throw new InvalidArgumentException(sprintf(
            'unknown option %s (known options: %s)',
            Text::debug($key),
            implode(', ', Table::OPTION_NAMES)
        ));
    }

    /**
     * The checks libjustclick makes after reading every option (bounds),
     * then of the login and secret, in its order; returns the base URL the
     * client talks to.
     *
     * @throws InvalidArgumentException with the library's message
     */
    public function base(string $login, #[\SensitiveParameter] string $secret): string
    {
        foreach (self::RANGES as $key => [$lo, $hi]) {
            $value = match ($key) {
                'timeout_ms' => $this->timeoutMs,
                'connect_timeout_ms' => $this->connectTimeoutMs,
                'idle_timeout_ms' => $this->idleTimeoutMs,
                'batch_timeout_ms' => $this->batchTimeoutMs,
                'rate_limit_backoff_ms' => $this->rateLimitBackoffMs,
                'max_response_bytes' => $this->maxResponseBytes,
                'rate_limit_retries' => $this->rateLimitRetries,
            };
            if ($value !== null && ($value < $lo || $value > $hi)) {
                throw self::outOfRange($key, str_ends_with($key, '_ms') ? self::duration($value) : (string) $value);
            }
        }
        self::login($login);
        if ($secret === '') {
            throw new InvalidArgumentException(
                'secret is empty: pass the API key from your JustClick account (API section)'
            );
        }
        if (strlen($secret) > self::MAX_SECRET_BYTES) {
            throw new InvalidArgumentException('secret is longer than ' . self::MAX_SECRET_BYTES . ' bytes');
        }
        if (preg_match('/[\x00-\x1f\x7f]/', $secret) === 1) {
            throw new InvalidArgumentException('secret contains control characters (a copy-paste error?)');
        }
        if (preg_match('//u', $secret) !== 1) {
            throw new InvalidArgumentException('secret is not valid UTF-8');
        }
        return $this->baseUrl === null ? "https://$login.justclick.ru" : self::baseUrl($this->baseUrl, $this->allowInsecureHttp);
    }

    /** The login as one DNS label (it becomes the host name). */
    private static function login(string $login): void
    {
        if (preg_match('/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/D', $login) !== 1) {
            throw new InvalidArgumentException(sprintf(
                "login %s is not a valid JustClick login: 1 to 63 letters, digits or '-', not starting or "
                . "ending with '-' (it is the host name {login}.justclick.ru)",
                Text::quote($login)
            ));
        }
    }

    /**
     * A base-URL override without its trailing '/'. Plain http:// only to
     * loopback unless allowed: signed requests and forgeable answers would
     * cross the network in clear.
     */
    private static function baseUrl(string $url, bool $allowInsecureHttp): string
    {
        $bad = static fn (string $why): InvalidArgumentException => new InvalidArgumentException(
            sprintf("option 'base_url' %s: %s", Text::quote($url), $why)
        );
        if (preg_match('/[\s\x00-\x1f\x7f]|\xc2[\x80-\x9f]|\xc2\xa0|\xe2\x80[\x80-\x8a\xa8\xa9\xaf]|\xe3\x80\x80|\xe1\x9a\x80|\xe2\x81\x9f|\xc2\x85/', $url) === 1) {
            throw $bad('contains whitespace or control characters');
        }
        if (preg_match('~^([A-Za-z][A-Za-z0-9+.-]*)://([^/?#]*)([^?#]*)(\?[^#]*)?(#.*)?$~sD', $url, $m) !== 1) {
            throw $url === '' || !str_contains($url, '://') && preg_match('/^[A-Za-z0-9.\-\[\]:]+$/', $url) !== 1
                ? $bad('is not a URL (expected e.g. http://127.0.0.1:8089)')
                : $bad('must start with http:// or https://');
        }
        $scheme = strtolower($m[1]);
        $authority = $m[2];
        if ($scheme !== 'http' && $scheme !== 'https') {
            throw $bad('must start with http:// or https://');
        }
        if ($authority === '') {
            throw $bad('is not a URL (expected e.g. http://127.0.0.1:8089)');
        }
        if (str_contains($authority, '@')) {
            throw $bad('must not contain user credentials');
        }
        $host = self::hostOf($authority);
        if ($host === '') {
            throw $bad('has no host');
        }
        $port = self::checkPort($authority);
        if ($port !== null) {
            throw $bad($port);
        }
        if ($scheme === 'http' && !$allowInsecureHttp && !self::isLoopback($host)) {
            throw $bad('plain http:// is allowed only to loopback (127.0.0.0/8, ::1, localhost); use https://, '
                . "or set 'allow_insecure_http' for a test network");
        }
        if (($m[4] ?? '') !== '' || str_contains($url, '#')) {
            throw $bad('must not contain a query or fragment (the path /api/{Method} is appended)');
        }
        return rtrim($url, '/');
    }

    /** The host of an authority (`[::1]:80` gives `[::1]`). */
    public static function hostOf(string $authority): string
    {
        $hostPort = ($at = strrpos($authority, '@')) === false ? $authority : substr($authority, $at + 1);
        if (str_starts_with($hostPort, '[')) {
            $end = strpos($hostPort, ']');
            return $end === false ? $hostPort : substr($hostPort, 0, $end + 1);
        }
        $colon = strpos($hostPort, ':');
        return $colon === false ? $hostPort : substr($hostPort, 0, $colon);
    }

    /** The authority (host and port as written) of a URL, "server" when none. */
    public static function authorityOf(string $url): string
    {
        return preg_match('~^[A-Za-z][A-Za-z0-9+.-]*://([^/?#]*)~', $url, $m) === 1 && $m[1] !== '' ? $m[1] : 'server';
    }

    /**
     * Why the port of `$authority` cannot be used (the URL parser would
     * keep it and the request would go elsewhere), null when it can.
     */
    public static function checkPort(string $authority): ?string
    {
        $hostPort = ($at = strrpos($authority, '@')) === false ? $authority : substr($authority, $at + 1);
        if (str_starts_with($hostPort, '[')) {
            $end = strpos($hostPort, ']');
            $after = $end === false ? '' : substr($hostPort, $end + 1);
        } else {
            $colon = strpos($hostPort, ':');
            $after = $colon === false ? '' : substr($hostPort, $colon);
        }
        if ($after === '') {
            return null;
        }
        $digits = str_starts_with($after, ':') ? substr($after, 1) : $after;
        $ok = strlen($digits) >= 1 && strlen($digits) <= 5 && ctype_digit($digits)
            && (int) $digits >= 1 && (int) $digits <= 65535;
        return $ok ? null : sprintf(
            'port %s is not a number between 1 and 65535',
            Text::printable(self::prefix($digits, 20))
        );
    }

    /** Whether a URL host is this machine's loopback: 127.0.0.0/8, ::1 or localhost. */
    public static function isLoopback(string $host): bool
    {
        $bare = trim($host, '[]');
        if (filter_var($bare, FILTER_VALIDATE_IP, FILTER_FLAG_IPV4) !== false) {
            return str_starts_with($bare, '127.');
        }
        if (filter_var($bare, FILTER_VALIDATE_IP, FILTER_FLAG_IPV6) !== false) {
            return inet_pton($bare) === inet_pton('::1');
        }
        return strcasecmp($bare, 'localhost') === 0 || strcasecmp($bare, 'localhost.') === 0;
    }

    /** The user agent check of src/transport.rs. */
    public function checkUserAgent(): void
    {
        $ua = $this->userAgent;
        if ($ua === '' || strlen($ua) > 256 || preg_match('/[^\x20-\x7e]/', $ua) === 1) {
            throw new InvalidArgumentException("option 'user_agent' must be 1 to 256 printable ASCII characters");
        }
    }

    private static function string(string $name, #[\SensitiveParameter] mixed $v): string
    {
        if (!is_string($v)) {
            throw new InvalidArgumentException("option '$name' must be a string, got " . self::typeName($v));
        }
        if (preg_match('//u', $v) !== 1) {
            throw new InvalidArgumentException("option '$name' is not valid UTF-8");
        }
        return $v;
    }

    private static function millis(string $name, mixed $v): int
    {
        if (!is_int($v)) {
            throw new InvalidArgumentException(
                "option '$name' must be an integer number of milliseconds, got " . self::typeName($v)
            );
        }
        return self::count($name, $v);
    }

    private static function count(string $name, mixed $v): int
    {
        if (!is_int($v)) {
            throw new InvalidArgumentException("option '$name' must be an integer, got " . self::typeName($v));
        }
        if ($v < 0) {
            throw self::outOfRange($name, (string) $v);
        }
        if ($name === 'rate_limit_retries' && $v > 0xFFFFFFFF) {
            throw self::outOfRange($name, (string) $v);
        }
        return $v;
    }

    private static function outOfRange(string $key, string $got): InvalidArgumentException
    {
        [$lo, $hi] = self::RANGES[$key];
        $unit = str_ends_with($key, '_ms') ? ' milliseconds' : '';
        return new InvalidArgumentException("option '$key' must be between $lo and $hi$unit, got $got");
    }

    /** A millisecond count as Rust's Duration Debug writes it (`0ns`, `3600.001s`, `250ms`). */
    private static function duration(int $ms): string
    {
        if ($ms === 0) {
            return '0ns';
        }
        if ($ms < 1000) {
            return $ms . 'ms';
        }
        $frac = rtrim(sprintf('%03d', $ms % 1000), '0');
        return intdiv($ms, 1000) . ($frac === '' ? '' : '.' . $frac) . 's';
    }

    /** The library's name for a JSON value's type. */
    public static function typeName(mixed $v): string
    {
        return match (true) {
            $v === null => 'null',
            is_bool($v) => 'a boolean',
            is_int($v), is_float($v) => 'a number',
            is_string($v) => 'a string',
            is_array($v) && array_is_list($v) => 'a list',
            default => 'an object',
        };
    }

    /** The first `$n` characters of UTF-8 text. */
    private static function prefix(string $s, int $n): string
    {
        return preg_match('/^.{0,' . $n . '}/us', Text::lossy($s), $m) === 1 ? $m[0] : '';
    }
}
