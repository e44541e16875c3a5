<?php

declare(strict_types=1);

namespace JustClick\Pure;

use JustClick\BadResponseException;
use JustClick\ExceptionInterface;
use JustClick\HttpStatusException;
use JustClick\InvalidArgumentException;
use JustClick\LibraryException;
use JustClick\TimeoutException;
use JustClick\TransportException;

/**
 * HTTP for the pure-PHP engine over ext-curl, with libjustclick's rules
 * (src/transport.rs): TLS always verified against the same Mozilla roots
 * (plus `ca_file`), TLS 1.2 or newer, redirects never followed, HTTP/1.1,
 * the proxy chosen as the library chooses it, `max_response_bytes`
 * enforced while reading, and every failure mapped to the library's
 * exception and message. Connections are kept alive in a curl share
 * handle for the life of this object, across single calls and batches.
 * Holds no secret.
 *
 * @internal
 */
final class Transport
{
    /** curl errors of the TLS layer: a handshake or verification failure. */
    private const TLS_ERRORS = [35, 51, 53, 54, 58, 59, 60, 64, 66, 77, 80, 82, 83, 90, 91, 98];

    /** The http crate's canonical reasons, which the library's messages use. */
    private const REASONS = [
        100 => 'Continue', 101 => 'Switching Protocols', 102 => 'Processing', 200 => 'OK', 201 => 'Created',
        202 => 'Accepted', 203 => 'Non Authoritative Information', 204 => 'No Content', 205 => 'Reset Content',
        206 => 'Partial Content', 207 => 'Multi-Status', 208 => 'Already Reported', 226 => 'IM Used',
        300 => 'Multiple Choices', 301 => 'Moved Permanently', 302 => 'Found', 303 => 'See Other',
        304 => 'Not Modified', 305 => 'Use Proxy', 307 => 'Temporary Redirect', 308 => 'Permanent Redirect',
        400 => 'Bad Request', 401 => 'Unauthorized', 402 => 'Payment Required', 403 => 'Forbidden',
        404 => 'Not Found', 405 => 'Method Not Allowed', 406 => 'Not Acceptable',
        407 => 'Proxy Authentication Required', 408 => 'Request Timeout', 409 => 'Conflict', 410 => 'Gone',
        411 => 'Length Required', 412 => 'Precondition Failed', 413 => 'Payload Too Large', 414 => 'URI Too Long',
        415 => 'Unsupported Media Type', 416 => 'Range Not Satisfiable', 417 => 'Expectation Failed',
        418 => "I'm a teapot", 421 => 'Misdirected Request', 422 => 'Unprocessable Entity', 423 => 'Locked',
        424 => 'Failed Dependency', 426 => 'Upgrade Required', 428 => 'Precondition Required',
        429 => 'Too Many Requests', 431 => 'Request Header Fields Too Large', 451 => 'Unavailable For Legal Reasons',
        500 => 'Internal Server Error', 501 => 'Not Implemented', 502 => 'Bad Gateway', 503 => 'Service Unavailable',
        504 => 'Gateway Timeout', 505 => 'HTTP Version Not Supported', 506 => 'Variant Also Negotiates',
        507 => 'Insufficient Storage', 508 => 'Loop Detected', 510 => 'Not Extended',
        511 => 'Network Authentication Required',
    ];

    /** How much of a non-200 body is read, for the message. */
    private const SNIPPET = 160;

    /**
     * curl options of every request, by transport: kept outside the
     * object (a proxy URL may carry a password) so that no dump shows it.
     *
     * @var \WeakMap<Transport, array<int, mixed>>|null
     */
    private static ?\WeakMap $setups = null;

    /** The URL's authority, as messages name the server. */
    public readonly string $host;

    private int $maxResponseBytes;

    private ?\CurlShareHandle $share;

    private ?\CurlMultiHandle $multi = null;

    /** @var list<\CurlHandle> handles ready for the next request */
    private array $idle = [];

    /**
     * @throws InvalidArgumentException for a user agent, CA file or proxy the library refuses
     * @throws LibraryException          when the package's CA roots are missing
     */
    public function __construct(#[\SensitiveParameter] Options $o, string $base)
    {
        $o->checkUserAgent();
        $roots = dirname(__DIR__, 3) . '/resources/roots';
        // OpenSSL looks a root up by its subject hash in the directory, so
        // only the roots a chain names are read; CAINFO must name some file
        // (an empty one is an error): the caller's, or default.pem, a copy
        // of one of the roots (resources/roots.php).
        $caInfo = $o->caFile === null ? $roots . '/default.pem' : self::caFile($o->caFile);
        if (!is_file($roots . '/default.pem')) {
            throw new LibraryException(
                "the CA roots of the pure-PHP engine are missing ($roots): the package is incomplete, reinstall it"
            );
        }
        $this->host = Options::authorityOf($base);
        $this->maxResponseBytes = $o->maxResponseBytes;
        $setup = [
            CURLOPT_POST => true,
            CURLOPT_HTTPHEADER => ['Content-Type: application/x-www-form-urlencoded', 'Expect:'],
            CURLOPT_USERAGENT => $o->userAgent,
            CURLOPT_TIMEOUT_MS => $o->timeoutMs,
            CURLOPT_CONNECTTIMEOUT_MS => min($o->connectTimeoutMs, $o->timeoutMs),
            CURLOPT_FOLLOWLOCATION => false,
            CURLOPT_PROTOCOLS => CURLPROTO_HTTP | CURLPROTO_HTTPS,
            CURLOPT_REDIR_PROTOCOLS => 0,
            CURLOPT_SSL_VERIFYPEER => true,
            CURLOPT_SSL_VERIFYHOST => 2,
            CURLOPT_SSLVERSION => CURL_SSLVERSION_TLSv1_2,
            CURLOPT_CAINFO => $caInfo,
            CURLOPT_CAPATH => $roots,
            CURLOPT_PROXY_SSL_VERIFYPEER => true,
            CURLOPT_PROXY_SSL_VERIFYHOST => 2,
            CURLOPT_PROXY_CAINFO => $caInfo,
            CURLOPT_PROXY_CAPATH => $roots,
            CURLOPT_HTTP_VERSION => CURL_HTTP_VERSION_1_1,
            CURLOPT_TCP_NODELAY => true,
            CURLOPT_NOSIGNAL => true,
            CURLOPT_DNS_CACHE_TIMEOUT => 30,
            CURLOPT_MAXAGE_CONN => max(1, intdiv($o->idleTimeoutMs + 999, 1000)),
            CURLOPT_PROXY => self::proxy($o, $base) ?? '',
            CURLOPT_NOPROXY => '',
        ];
        $share = curl_share_init();
        curl_share_setopt($share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
        curl_share_setopt($share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
        curl_share_setopt($share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
        $this->share = $share;
        $setup[CURLOPT_SHARE] = $share;
        self::$setups ??= new \WeakMap();
        self::$setups[$this] = $setup;
    }

    public function __destruct()
    {
        // Handles first: the share handle must outlive every easy handle.
        $this->idle = [];
        $this->multi = null;
        $this->share = null;
    }

    /**
     * POSTs a signed form and returns the body of an HTTP 200 answer.
     *
     * @throws ExceptionInterface the library's failure for anything else
     */
    public function post(string $url, string $body): string
    {
        [$ch, $ex] = $this->open($url, $body);
        curl_exec($ch);
        return $this->close($ch, $ex, curl_errno($ch));
    }

    /** The multi handle batches run on (one per transport, sharing its connections). */
    public function multi(): \CurlMultiHandle
    {
        return $this->multi ??= curl_multi_init();
    }

    /**
     * A handle ready to send `$body` to `$url`, and what it reads into.
     *
     * @return array{0: \CurlHandle, 1: Exchange}
     */
    public function open(string $url, string $body): array
    {
        $ch = array_pop($this->idle);
        if ($ch === null) {
            $ch = curl_init();
            curl_setopt_array($ch, self::$setups[$this] ?? []);
        }
        $ex = new Exchange();
        $limit = $this->maxResponseBytes;
        curl_setopt_array($ch, [
            CURLOPT_URL => $url,
            CURLOPT_POSTFIELDS => $body,
            CURLOPT_HEADERFUNCTION => static function ($ch, string $line) use ($ex): int {
                if (strncasecmp($line, 'location:', 9) === 0) {
                    $ex->location = trim(substr($line, 9));
                } elseif (strncmp($line, 'HTTP/', 5) === 0) {
                    $ex->location = null; // a new response (after 100 Continue)
                }
                return strlen($line);
            },
            CURLOPT_WRITEFUNCTION => static function ($ch, string $data) use ($ex, $limit): int {
                if (curl_getinfo($ch, CURLINFO_RESPONSE_CODE) !== 200) {
                    // Only a peek, for the message: a hostile body costs nothing.
                    $ex->body .= $data;
                    return strlen($ex->body) >= self::SNIPPET ? 0 : strlen($data);
                }
                if (strlen($ex->body) + strlen($data) > $limit) {
                    $ex->tooLarge = true;
                    return 0;
                }
                $ex->body .= $data;
                return strlen($data);
            },
        ]);
        return [$ch, $ex];
    }

    /**
     * The body of a finished exchange, or its failure; the handle goes back
     * to the idle list.
     *
     * @throws ExceptionInterface
     */
    public function close(\CurlHandle $ch, Exchange $ex, int $errno): string
    {
        $status = (int) curl_getinfo($ch, CURLINFO_RESPONSE_CODE);
        $error = curl_error($ch);
        $this->idle[] = $ch;
        $host = $this->host;
        if (($errno === 0 || $errno === CURLE_WRITE_ERROR) && $status !== 0 && $status !== 200) {
            throw $this->httpStatus($status, $ex);
        }
        if ($ex->tooLarge) {
            throw new BadResponseException(sprintf(
                'response from %s is larger than max_response_bytes (%d bytes); not read further',
                $host,
                $this->maxResponseBytes
            ));
        }
        if ($errno === 0) {
            return $ex->body;
        }
        if ($errno === CURLE_OPERATION_TIMEDOUT) {
            throw new TimeoutException("request to $host timed out ($error)");
        }
        if (in_array($errno, self::TLS_ERRORS, true)) {
            throw new TransportException("TLS handshake with $host failed: $error (certificates are always "
                . "verified; add the server's CA with the 'ca_file' option)");
        }
        $answered = $status !== 0;
        throw match (true) {
            $errno === CURLE_COULDNT_RESOLVE_HOST => new TransportException("could not resolve host $host"),
            $errno === CURLE_COULDNT_CONNECT => new TransportException(
                "could not connect to $host" . (stripos($error, 'refused') !== false ? ': connection refused' : '')
            ),
            $answered && in_array($errno, [CURLE_PARTIAL_FILE, CURLE_RECV_ERROR, CURLE_GOT_NOTHING, 55], true) =>
                new BadResponseException("response body from $host was cut short (truncated): $error"),
            $answered => new BadResponseException("response body from $host is malformed or truncated: $error"),
            in_array($errno, [CURLE_GOT_NOTHING, CURLE_RECV_ERROR, 55], true) =>
                new TransportException("connection to $host closed before a response arrived: $error"),
            $errno === 8 => new TransportException("malformed HTTP exchange with $host: $error"),
            default => new TransportException("request to $host failed: $error"),
        };
    }

    private function httpStatus(int $status, Exchange $ex): HttpStatusException
    {
        $reason = isset(self::REASONS[$status]) ? ' ' . self::REASONS[$status] : '';
        $message = "HTTP status $status$reason from {$this->host} (expected 200)";
        if ($status >= 300 && $status < 400) {
            $location = $ex->location === null
                ? '(no Location)'
                : Text::printable((string) preg_replace('/^(.{0,200}).*$/us', '$1', Text::lossy($ex->location)));
            $message .= "; redirect to $location not followed: a signed request is never re-sent to another URL";
        }
        $snippet = substr($ex->body, 0, self::SNIPPET);
        if ($snippet !== '') {
            $message .= '; body starts: ' . Text::printable($snippet);
        }
        return new HttpStatusException($message, $status);
    }

    /**
     * The CA file's path once it is checked as the library checks it: it is
     * read, holds at least one PEM certificate, and each one parses.
     */
    private static function caFile(string $path): string
    {
        $content = @file_get_contents($path);
        if ($content === false || is_dir($path)) {
            $why = match (true) {
                is_dir($path) => 'Is a directory (os error 21)',
                file_exists($path) => 'Permission denied (os error 13)',
                default => 'No such file or directory (os error 2)',
            };
            throw new InvalidArgumentException("option 'ca_file': cannot read $path: $why");
        }
        preg_match_all('/-----BEGIN CERTIFICATE-----\r?\n(.*?)-----END CERTIFICATE-----/s', $content, $m);
        if ($m[0] === []) {
            throw new InvalidArgumentException(
                "option 'ca_file': $path contains no PEM certificate (expected -----BEGIN CERTIFICATE-----)"
            );
        }
        foreach ($m[1] as $i => $b64) {
            $der = base64_decode((string) preg_replace('/\s+/', '', $b64), true);
            if ($der === false || $der === '') {
                throw new InvalidArgumentException("option 'ca_file': $path is not a valid PEM file: invalid base64");
            }
            // A DER certificate is one SEQUENCE spanning all its bytes (a full
            // X.509 parse costs about 0.1 ms per certificate with OpenSSL 3,
            // on every request under PHP-FPM; curl parses them anyway).
            if (!self::derSequence($der)) {
                throw new InvalidArgumentException(sprintf(
                    "option 'ca_file': certificate #%d in %s is not usable as a CA: %s",
                    $i + 1,
                    $path,
                    'it is not a DER-encoded certificate'
                ));
            }
        }
        return $path;
    }

    /** Whether `$der` is exactly one DER SEQUENCE (the outer shape of a certificate). */
    private static function derSequence(string $der): bool
    {
        $n = strlen($der);
        if ($n < 2 || ord($der[0]) !== 0x30) {
            return false;
        }
        $len = ord($der[1]);
        $head = 2;
        if ($len & 0x80) {
            $bytes = $len & 0x7f;
            if ($bytes === 0 || $bytes > 4 || $n < 2 + $bytes) {
                return false;
            }
            $len = 0;
            for ($i = 0; $i < $bytes; $i++) {
                $len = ($len << 8) | ord($der[2 + $i]);
            }
            $head += $bytes;
        }
        return $head + $len === $n;
    }

    /**
     * The proxy for `$base` as the library chooses it: the option, else the
     * environment (https_proxy / HTTPS_PROXY or lowercase http_proxy, then
     * all_proxy / ALL_PROXY, with no_proxy / NO_PROXY); never HTTP_PROXY,
     * which under CGI is a visitor's `Proxy:` header. Null: direct.
     */
    private static function proxy(#[\SensitiveParameter] Options $o, string $base): ?string
    {
        if ($o->proxy !== null) {
            return $o->proxy === '' ? null : self::parseProxy($o->proxy, "option 'proxy'");
        }
        $https = strncasecmp($base, 'https:', 6) === 0;
        $names = $https ? ['https_proxy', 'HTTPS_PROXY', 'all_proxy', 'ALL_PROXY'] : ['http_proxy', 'all_proxy', 'ALL_PROXY'];
        foreach ($names as $name) {
            $url = getenv($name);
            if (!is_string($url) || $url === '') {
                continue;
            }
            $list = getenv('no_proxy');
            if (!is_string($list)) {
                $list = getenv('NO_PROXY');
            }
            if (is_string($list) && self::noProxyMatches($list, Options::hostOf(Options::authorityOf($base)))) {
                return null;
            }
            return self::parseProxy($url, "environment variable $name");
        }
        return null;
    }

    private static function parseProxy(#[\SensitiveParameter] string $url, string $source): string
    {
        $bad = static fn (string $why): InvalidArgumentException => new InvalidArgumentException(sprintf(
            '%s %s is not a usable proxy URL: %s',
            $source,
            Text::printable(self::redactUserinfo($url)),
            $why
        ));
        [$scheme, $rest] = str_contains($url, '://') ? explode('://', $url, 2) : ['http', $url];
        $scheme = strtolower($scheme);
        if (!in_array($scheme, ['http', 'https', 'socks5', 'socks5h'], true)) {
            throw $bad('the scheme must be http://, https://, socks5:// or socks5h://');
        }
        if (
            preg_match('~^([^/?#]*)([^?#]*)(\?[^#]*)?$~s', $rest, $m) !== 1
            || preg_match('/[\s\x00-\x1f\x7f]/', $rest) === 1
            || $m[1] === '' || $m[1][0] === ':'
        ) {
            throw $bad("not a URL (percent-encode '/', ':' and '@' in a user name or password)");
        }
        if (Options::hostOf($m[1]) === '') {
            throw $bad('it has no host');
        }
        $port = Options::checkPort($m[1]);
        if ($port !== null) {
            throw $bad($port);
        }
        if (!in_array($m[2], ['', '/'], true) || ($m[3] ?? '') !== '') {
            throw $bad('a proxy URL has no path or query');
        }
        return "$scheme://$rest";
    }

    /** A URL with its user name and password replaced by `***`. */
    public static function redactUserinfo(#[\SensitiveParameter] string $url): string
    {
        [$scheme, $rest] = str_contains($url, '://') ? explode('://', $url, 2) : ['', $url];
        $at = strrpos($rest, '@');
        if ($at === false) {
            return $url;
        }
        return ($scheme === '' ? '' : "$scheme://") . '***' . substr($rest, $at);
    }

    /** Whether `$host` is excluded by a no_proxy list (names, suffixes, IPs, CIDR ranges, `*`). */
    private static function noProxyMatches(string $list, string $host): bool
    {
        $host = strtolower(rtrim(trim($host, '[]'), '.'));
        $hostIp = @inet_pton($host);
        foreach (preg_split('/[\s,]+/', $list, -1, PREG_SPLIT_NO_EMPTY) ?: [] as $entry) {
            if ($entry === '*') {
                return true;
            }
            $entry = trim($entry, '[]');
            if ($hostIp !== false) {
                [$addr, $bits] = str_contains($entry, '/') ? explode('/', $entry, 2) : [$entry, null];
                $net = @inet_pton(rtrim($addr, ']'));
                if ($net === false || strlen($net) !== strlen($hostIp)) {
                    continue;
                }
                $width = strlen($net) * 8;
                $bits = $bits === null ? $width : (ctype_digit($bits) ? (int) $bits : -1);
                if ($bits < 0 || $bits > $width) {
                    continue;
                }
                $full = intdiv($bits, 8);
                $rest = $bits % 8;
                if (substr($hostIp, 0, $full) !== substr($net, 0, $full)) {
                    continue;
                }
                if ($rest !== 0) {
                    $mask = (0xff << (8 - $rest)) & 0xff;
                    if ((ord($hostIp[$full]) & $mask) !== (ord($net[$full]) & $mask)) {
                        continue;
                    }
                }
                return true;
            }
            $name = rtrim(ltrim(preg_replace('/^\*\./', '', strtolower($entry)) ?? '', '.'), '.');
            if ($name !== '' && ($host === $name || str_ends_with($host, '.' . $name))) {
                return true;
            }
        }
        return false;
    }
}
