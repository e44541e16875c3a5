<?php

declare(strict_types=1);

namespace JustClick\Pure;

use JustClick\ApiException;
use JustClick\BadResponseException;
use JustClick\BadSignatureException;

/**
 * What the library does with the body of an HTTP 200 answer (src/response.rs)
 * and how it shapes the success document (src/api/mod.rs, src/client.rs,
 * src/ffi/document.rs), for the pure-PHP engine: same values, same
 * exceptions, same messages as the FFI engine.
 *
 * The library reads answers with serde_json (features preserve_order,
 * raw_value, float_roundtrip), writes `result` back as JSON, and the FFI
 * engine decodes that with json_decode(..., true, 1024, JSON_BIGINT_AS_STRING).
 * PHP's json_decode accepts and maps some texts differently (1e400 is INF,
 * -0 is int 0, big integers stay strings, a first key
 * "$serde_json::private::RawValue" is nothing special, errors have other
 * words), so this class carries a port of the part of serde_json's parser
 * the library uses, with its error texts and positions ("... at line L
 * column C"), and maps values as that round trip does: an integer that fits
 * u64 (or i64 when negative) stays an integer (as a digit string beyond
 * PHP_INT_MAX), any other number is the correctly rounded float (-0 is -0.0),
 * out-of-range numbers and lone surrogates are errors, duplicate keys keep
 * the first position and the last value.
 *
 * Where json_decode provably reads a value the library's way (no risky
 * number, no raw-value key, no lone surrogate), it is used instead of the
 * port, and a regex skips what serde's ignore_value skips; the port still
 * reads everything else and finds every error.
 *
 * Not reproduced: printable(), which shows a bad body's first 80 bytes,
 * escapes characters by Unicode properties; those come from ext/intl (its
 * Unicode version, not Rust's), and without intl no non-ASCII character is
 * escaped.
 *
 * Stateless for callers: the secret is an argument, never kept, never in a
 * message. An instance is only the parser's cursor over one text.
 *
 * @internal
 */
final class Response
{
    /** The service's code for a login it does not know (signed with an empty key). */
    public const UNKNOWN_LOGIN_CODE = 5;

    /** CreateOrder's "order already exists"; `result.bill_id` is the existing order. */
    public const ALREADY_EXISTS_CODE = 601;

    /** The documented code the library gives AddLeadToGroup's "invalid group" text. */
    public const INVALID_GROUP_CODE = 103;

    /** The documented code of "the subscriber is already registered". */
    public const ALREADY_REGISTERED_CODE = 102;

    /** AddLeadToGroup's code-0 text for "no given group may be subscribed to". */
    public const INVALID_GROUP_TEXT = 'Has an invalid subscriptions group';

    /** Deepest nesting accepted in an answer (serde_json's own limit). */
    public const MAX_NESTING = 128;

    /** Codes whose `result` is read although they are errors. */
    private const CODES_WITH_RESULT = [0, 601];

    /** serde_json (feature raw_value) reads an object with this first key as the JSON in its string value. */
    private const RAW_VALUE_TOKEN = '$serde_json::private::RawValue';

    /** Outcome::decode's depth: deeper documents fail there. */
    private const DOC_DEPTH = 1024;

    /** Rust's White_Space (str::trim, split_whitespace), as a regex class body. */
    private const WS = '\x{9}-\x{d}\x{20}\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}';

    /** Every code-0 AddLeadToGroup text the library knows, normalized => meaning. */
    private const LEAD_TEXTS = [
        'ok' => 'subscribed',
        'activation email sent to subscriber' => 'subscribed',
        'subscriber added. activation email not sent' => 'subscribed',
        'the subscriber is already registered' => 'already_registered',
        'has an invalid subscriptions group' => 'invalid_group',
    ];

    // serde_json's ErrorCode texts.
    private const EOF_LIST = 'EOF while parsing a list';
    private const EOF_OBJECT = 'EOF while parsing an object';
    private const EOF_STRING = 'EOF while parsing a string';
    private const EOF_VALUE = 'EOF while parsing a value';
    private const COLON = 'expected `:`';
    private const LIST_COMMA = 'expected `,` or `]`';
    private const OBJECT_COMMA = 'expected `,` or `}`';
    private const IDENT = 'expected ident';
    private const VALUE = 'expected value';
    private const ESCAPE = 'invalid escape';
    private const NUMBER = 'invalid number';
    private const RANGE = 'number out of range';
    private const CONTROL = 'control character (\u0000-\u001F) found while parsing a string';
    private const KEY = 'key must be a string';
    private const LONE = 'lone leading surrogate in hex escape';
    private const TRAILING_COMMA = 'trailing comma';
    private const TRAILING = 'trailing characters';
    private const HEX_END = 'unexpected end of hex escape';
    private const RECURSION = 'recursion limit exceeded';

    // Error categories (serde_json's Category), as the internal exception's code.
    private const SYNTAX = 1;
    private const EOF = 2;
    private const DATA = 3;

    private const DIGITS = '0123456789';
    private const HEX = '0123456789abcdefABCDEF';

    /** A string run ends at a quote, a backslash or a control byte. */
    private const STOP = "\"\\\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f"
        . "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f";

    /** A string token serde reads without error, except perhaps for surrogate escapes. */
    private const STRING_TOKEN = '/\G(?:[^"\\\\\x00-\x1f]++|\\\\["\\\\\/bfnrt]|\\\\u[0-9a-fA-F]{4})*+"/';

    /**
     * One JSON value that ignore_value skips without error (JSON's own
     * grammar; a number may not run on into what serde would read as part
     * of it). Anything else goes the exact way, which finds serde's error.
     */
    private const SKIP = '/\G(?<v>[ \t\n\r]*+(?:"(?:[^"\\\\\x00-\x1f]++|\\\\["\\\\\/bfnrt]|\\\\u[0-9a-fA-F]{4})*+"'
        . '|-?+(?:0|[1-9][0-9]*+)(?:\.[0-9]++)?+(?:[eE][+-]?+[0-9]++)?+(?![0-9.eE])|true|false|null'
        . '|\[(?:(?&v)(?:[ \t\n\r]*+,(?&v))*+)?+[ \t\n\r]*+\]'
        . '|\{(?:[ \t\n\r]*+"(?:[^"\\\\\x00-\x1f]++|\\\\["\\\\\/bfnrt]|\\\\u[0-9a-fA-F]{4})*+"[ \t\n\r]*+:(?&v)'
        . '(?:[ \t\n\r]*+,[ \t\n\r]*+"(?:[^"\\\\\x00-\x1f]++|\\\\["\\\\\/bfnrt]|\\\\u[0-9a-fA-F]{4})*+"[ \t\n\r]*+:(?&v))*+)?+'
        . '[ \t\n\r]*+\}))/';

    /**
     * Numbers outside strings that json_decode maps differently from the
     * library (-0, 19 or more digits: beyond i64 or huge, 3-digit
     * exponents: maybe out of range).
     */
    private const RISKY_NUMBER = '/"(?:[^"\\\\]++|\\\\.)*+"(*SKIP)(*FAIL)|-0(?![.0-9eE])|[0-9]{19}|[eE][+-]?+[0-9]{3}/';

    /** Whether a text that json_decode reads the library's way is read by json_decode (tests turn it off). */
    private static bool $fastPath = true;

    private string $s;

    private int $n;

    private int $i = 0;

    /** serde_json's remaining_depth. */
    private int $remaining = 128;

    /** The serde type of the value parsed last ("a list", "a number", ...). */
    private string $kind = 'null';

    /** Deepest nesting of containers in the values produced. */
    private int $depth = 0;

    private function __construct(string $text)
    {
        $this->s = $text;
        $this->n = strlen($text);
    }

    /**
     * Parses and verifies an answer body as the library does for every call
     * (parse_answer_or_unknown_login): the signature first, `result` only
     * for codes 0 and 601 of a verified answer; an error 5 signed with an
     * empty key is the unknown login it is (its text says so, naming
     * `$login` when given).
     *
     * Besides code, text and result (as the FFI engine's document holds it),
     * the array carries what shaping the document needs and PHP values
     * cannot tell: `types` (the serde type of `result` and of each of its
     * members that is not a list or object, by key: a u64 beyond
     * PHP_INT_MAX is a digit string in PHP but "a number" here) and `depth`
     * (the nesting of `result` where it can matter: when serde's raw-value
     * key nests it beyond 127 levels; 0 or the exact nesting otherwise).
     *
     * @return array{code: int, text: string, result: mixed, types: array{result: string, items: array<array-key, string>}, depth: int}
     *
     * @throws BadResponseException  not a JustClick answer
     * @throws BadSignatureException unsigned or wrongly signed
     */
    public static function answer(string $body, #[\SensitiveParameter] string $secret, ?string $login = null): array
    {
        try {
            return self::parseAnswer($body, $secret);
        } catch (BadSignatureException $why) {
            try {
                $a = self::parseAnswer($body, '');
            } catch (BadResponseException | BadSignatureException $e) {
                throw $why;
            }
            if ($a['code'] !== self::UNKNOWN_LOGIN_CODE) {
                throw $why;
            }
            $named = $login === null ? '' : ' ' . Text::quote($login);
            $a['text'] .= " (login$named not found: the service signed this answer with an empty key, as it does "
                . 'for an account it does not know; check the login, the first part of https://{login}.justclick.ru)';
            $a['result'] = null;
            return $a;
        }
    }

    /**
     * The success document of a verified answer, exactly as the FFI engine
     * decodes it: `ok`, `error_code` 0, `error_text`, `result` (null for
     * none) and, for a documented special answer, `outcome`.
     *
     * `$method` is a table method's documented name (jc_<snake>,
     * Client::call_method): CreateOrder's 601, AddLeadToGroup's outcomes and
     * its code-0 "invalid group" as API error 103. The four legacy
     * functions (DeleteOrder, UpdateOrderStatus, GetBills, UpdateGood) are
     * table methods without a special answer, so their name works here too.
     * `$method` null is the generic call (jc_call), which knows no special
     * answer; `$called` is the method it called: a table method's result
     * still gets its declared shape (GetBills: maps), as the library gives
     * it whichever entry point sent the call. getOrdersWithGoods as a table
     * method is several calls: see {@see Range}; here it is one of them.
     *
     * @param string|null             $method a table method's name (exact case), null for the generic call
     * @param array<array-key, mixed> $answer what {@see answer()} returned
     * @param string|null             $called the generic call's method
     *
     * @return array{ok: true, error_code: 0, error_text: string, result: mixed, outcome?: string}
     *
     * @throws ApiException         `error_code` != 0 (or a special answer the library reports as one)
     * @throws BadResponseException the answer breaks its method's documented shape
     */
    public static function success(?string $method, array $answer, ?string $called = null): array
    {
        $code = self::intField($answer, 'code');
        $text = is_string($answer['text'] ?? null) ? $answer['text'] : '';
        $result = $answer['result'] ?? null;
        $declared = Table::METHODS[$method ?? $called ?? ''] ?? null;
        if ($method !== null && $declared === null) {
            throw new \LogicException("Response::success: $method is not a table method");
        }
        $outcome = null;
        $special = $method === null || $declared === null ? 'none' : $declared['special'];
        if ($special === 'existing_order' && $code === self::ALREADY_EXISTS_CODE) {
            $bill = is_array($result) && self::typeOf($answer) === 'an object' ? ($result['bill_id'] ?? null) : null;
            if (!(is_string($bill) && $bill !== '' || is_int($bill) || is_float($bill))) {
                throw new BadResponseException(
                    'CreateOrder answered ' . self::ALREADY_EXISTS_CODE . ' (order already exists) without result.bill_id'
                );
            }
            $outcome = 'already_exists';
        } elseif ($special === 'lead_outcome' && $code === self::ALREADY_REGISTERED_CODE) {
            $outcome = 'already_registered';
        } else {
            if ($code !== 0) {
                throw new ApiException($text, $code);
            }
            if ($special === 'lead_outcome') {
                switch (self::classifyLeadText($text)) {
                    case 'subscribed':
                        break;
                    case 'already_registered':
                        $outcome = 'already_registered';
                        break;
                    case 'invalid_group':
                        throw new ApiException(
                            $text . ' (the service answered code 0 with this text; the library reports the documented code '
                            . self::INVALID_GROUP_CODE . ': no given group exists or may be subscribed to)',
                            self::INVALID_GROUP_CODE
                        );
                    default:
                        $outcome = 'unknown';
                }
            } elseif ($declared !== null && $declared['result'] === 'bills') {
                $result = self::normalizeBills($result, $answer);
            }
        }
        $doc = ['ok' => true, 'error_code' => 0, 'error_text' => $text, 'result' => $result];
        if ($outcome !== null) {
            $doc['outcome'] = $outcome;
        }
        self::checkDocumentDepth(is_int($answer['depth'] ?? null) ? $answer['depth'] : 0);
        return $doc;
    }

    /**
     * What an AddLeadToGroup code-0 text means (classify_lead_text):
     * `subscribed`, `already_registered`, `invalid_group` or `unknown`,
     * compared without case, surrounding or repeated white space, or final
     * full stops and exclamation marks.
     */
    public static function classifyLeadText(string $text): string
    {
        $words = preg_split('/[' . self::WS . ']+/u', $text, -1, PREG_SPLIT_NO_EMPTY);
        $norm = implode(' ', $words === false ? [$text] : $words);
        $norm = (string) preg_replace('/[' . self::WS . ']+$/u', '', rtrim($norm, '.!'));
        // Rust's to_lowercase: of the non-ASCII characters only the Kelvin
        // sign lowercases to ASCII, and only ASCII texts are known.
        $norm = strtr(str_replace("\u{212A}", 'k', $norm), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz');
        return self::LEAD_TEXTS[$norm] ?? 'unknown';
    }

    /**
     * A value as serde_json's to_string writes it, for the messages that
     * quote one; `$type` is its serde type when PHP cannot tell (a u64
     * beyond PHP_INT_MAX is a digit string here but "a number" there).
     */
    public static function serdeText(mixed $v, ?string $type = null): string
    {
        if ($v === null) {
            return 'null';
        }
        if (is_bool($v)) {
            return $v ? 'true' : 'false';
        }
        if (is_int($v)) {
            return (string) $v;
        }
        if (is_float($v)) {
            return is_finite($v) ? self::formatFloat($v) : 'null';
        }
        if (is_string($v)) {
            return $type === 'a number' ? $v : '"' . self::escapeJson($v) . '"';
        }
        if (is_array($v)) {
            $list = array_is_list($v) && !($type === 'an object' && $v !== []);
            $parts = [];
            foreach ($v as $k => $item) {
                $parts[] = $list ? self::serdeText($item) : '"' . self::escapeJson((string) $k) . '":' . self::serdeText($item);
            }
            return $list ? '[' . implode(',', $parts) . ']' : '{' . implode(',', $parts) . '}';
        }
        return 'null';
    }

    /**
     * A finite float as serde_json writes it (the zmij crate): shortest
     * round-trip digits, plain notation for decimal exponents -5..=15
     * (always with a fraction: "1.0", "100.0"), else "1.5e+20", "5e-7".
     */
    public static function formatFloat(float $f): string
    {
        $old = ini_get('serialize_precision');
        ini_set('serialize_precision', '-1');
        try {
            $t = var_export($f, true);
        } finally {
            ini_set('serialize_precision', $old === false ? '-1' : $old);
        }
        $sign = '';
        if ($t[0] === '-') {
            $sign = '-';
            $t = substr($t, 1);
        }
        $exp = 0;
        $e = stripos($t, 'e');
        if ($e !== false) {
            $exp = (int) substr($t, $e + 1);
            $t = substr($t, 0, $e);
        }
        $dot = strpos($t, '.');
        $int = $dot === false ? $t : substr($t, 0, $dot);
        $frac = $dot === false ? '' : substr($t, $dot + 1);
        $all = ltrim($int . $frac, '0');
        if ($all === '') {
            return $sign . '0.0';
        }
        // Decimal exponent of the first significant digit.
        $sci = $exp + strlen($int) - 1 - (strlen($int . $frac) - strlen($all));
        $digits = rtrim($all, '0');
        $len = strlen($digits);
        if ($sci >= -5 && $sci <= 15) {
            if ($len - 1 <= $sci) {
                return $sign . $digits . str_repeat('0', $sci - $len + 1) . '.0';
            }
            if ($sci >= 0) {
                return $sign . substr($digits, 0, $sci + 1) . '.' . substr($digits, $sci + 1);
            }
            return $sign . '0.' . str_repeat('0', -$sci - 1) . $digits;
        }
        $mant = $len > 1 ? $digits[0] . '.' . substr($digits, 1) : $digits;
        return $sign . $mant . 'e' . ($sci < 0 ? '-' : '+') . abs($sci);
    }

    /**
     * Throws what Outcome::decode would for a success document whose
     * `result` nests `$depth` containers (only a hostile answer gets there,
     * through serde_json's raw-value key).
     */
    public static function checkDocumentDepth(int $depth): void
    {
        if ($depth + 1 >= self::DOC_DEPTH) {
            throw new BadResponseException('libjustclick returned malformed JSON: Maximum stack depth exceeded');
        }
    }

    /**
     * @return array{code: int, text: string, result: mixed, types: array{result: string, items: array<array-key, string>}, depth: int}
     */
    private static function parseAnswer(string $body, #[\SensitiveParameter] string $secret): array
    {
        if (preg_match('//u', $body) !== 1) {
            throw new BadResponseException(sprintf(
                'response is not valid JSON (invalid UTF-8 at byte %d); body starts: %s',
                self::validUpTo($body),
                self::printable(self::lossy(substr($body, 0, 80)))
            ));
        }
        $at = self::nestingExceeded($body);
        if ($at !== null) {
            throw new BadResponseException(
                'response JSON is nested deeper than ' . self::MAX_NESTING . " levels (recursion limit) at byte $at"
            );
        }
        $start = preg_match('/\A[' . self::WS . ']*+/u', $body, $m) === 1 ? strlen($m[0]) : 0;
        if (($body[$start] ?? '') !== '{') {
            throw self::shapeError($body, null);
        }
        $p = new self($body);
        try {
            $raw = $p->rawAnswer();
        } catch (\UnexpectedValueException $e) {
            throw self::shapeError($body, $e);
        }
        // `hash` first: an unsigned answer is never read further.
        $h = $raw['hash'] ?? null;
        if ($h === null) {
            throw new BadSignatureException('response has no \'hash\' field: it is not signed and is not trusted');
        }
        if (self::rawKind($h) !== 'a string') {
            throw new BadSignatureException(
                "response 'hash' is " . self::rawKind($h) . ', not a string: the answer is not trusted'
            );
        }
        $hash = self::stringField($h, 'hash');
        [$code, $codeText] = self::errorCode($raw['error_code'] ?? null);
        $t = $raw['error_text'] ?? null;
        if ($t === null) {
            throw new BadResponseException("response has no 'error_text' field");
        }
        if (self::rawKind($t) !== 'a string') {
            throw new BadResponseException("response 'error_text' is " . self::rawKind($t) . ', not a string');
        }
        $text = self::stringField($t, 'error_text');
        if (!hash_equals(md5($codeText . '::' . $text . '::' . $secret), $hash)) {
            throw new BadSignatureException(
                "response signature does not verify (md5 of error_code::error_text::secret differs from 'hash'): the answer is not trusted"
            );
        }
        $none = ['result' => 'null', 'items' => []];
        $r = $raw['result'] ?? null;
        if (!in_array($code, self::CODES_WITH_RESULT, true) || $r === null) {
            return ['code' => $code, 'text' => $text, 'result' => null, 'types' => $none, 'depth' => 0];
        }
        $fast = self::fastValue($r);
        if ($fast !== null) {
            return ['code' => $code, 'text' => $text] + $fast;
        }
        $p = new self($r);
        try {
            $items = [];
            $result = $p->document($items);
        } catch (\UnexpectedValueException $e) {
            throw new BadResponseException("response 'result' is malformed: " . $e->getMessage());
        }
        if ($result === null) {
            return ['code' => $code, 'text' => $text, 'result' => null, 'types' => $none, 'depth' => 0];
        }
        return [
            'code' => $code,
            'text' => $text,
            'result' => $result,
            'types' => ['result' => $p->kind, 'items' => $items],
            'depth' => $p->depth,
        ];
    }

    /**
     * A raw value as json_decode reads it, when that is what the library's
     * round trip gives: no risky number, no raw-value key (not even spelt
     * with escapes), no lone surrogate (json_decode fails on those). Null
     * when the exact parser must read it.
     *
     * @return array{result: mixed, types: array{result: string, items: array<array-key, string>}, depth: int}|null
     */
    private static function fastValue(string $raw): ?array
    {
        if (!self::$fastPath || strpos($raw, 'serde_json') !== false || preg_match('/\\\\u00[0-7]/', $raw) !== 0
            || preg_match(self::RISKY_NUMBER, $raw) !== 0) {
            return null;
        }
        $v = json_decode($raw, true, 512, JSON_BIGINT_AS_STRING);
        if (json_last_error() !== JSON_ERROR_NONE) {
            return null;
        }
        if ($v === null) {
            return ['result' => null, 'types' => ['result' => 'null', 'items' => []], 'depth' => 0];
        }
        $items = [];
        if (is_array($v)) {
            foreach ($v as $k => $item) {
                if (!is_array($item)) {
                    $items[$k] = self::phpType($item);
                }
            }
        }
        // Without the raw-value key a result nests at most 127 levels: the
        // document depth cannot be exceeded, so it is not counted.
        return ['result' => $v, 'types' => ['result' => self::rawKind($raw), 'items' => $items], 'depth' => 0];
    }

    /**
     * The serde type of an answer's result ("null" when there is none).
     *
     * @param array<array-key, mixed> $answer
     */
    private static function typeOf(array $answer): string
    {
        $types = $answer['types'] ?? null;
        $t = is_array($types) ? ($types['result'] ?? null) : null;
        if (is_string($t)) {
            return $t;
        }
        // An answer built by hand: PHP's own view.
        return self::phpType($answer['result'] ?? null);
    }

    private static function phpType(mixed $v): string
    {
        return match (true) {
            $v === null => 'null',
            is_bool($v) => 'a boolean',
            is_int($v), is_float($v) => 'a number',
            is_string($v) => 'a string',
            is_array($v) => array_is_list($v) && $v !== [] ? 'a list' : 'an object',
            default => 'null',
        };
    }

    /**
     * normalize_bills: GetBills promises maps (bill id -> good id -> good);
     * PHP's lists and `[]` are maps in the document anyway, anything else is
     * BadResponse. (The values do not change: a list's keys 0..n-1 are what
     * json_decode gives for the map {"0":..,"1":..}.)
     *
     * @param array<array-key, mixed> $answer
     *
     * @return array<array-key, mixed>
     */
    private static function normalizeBills(mixed $result, array $answer): array
    {
        if ($result === null) {
            return [];
        }
        if (!is_array($result)) {
            throw new BadResponseException('GetBills result is ' . self::typeOf($answer) . ', expected an object');
        }
        $types = $answer['types'] ?? null;
        $items = is_array($types) ? ($types['items'] ?? []) : [];
        foreach ($result as $key => $goods) {
            if (!is_array($goods)) {
                $type = is_array($items) && is_string($items[$key] ?? null) ? $items[$key] : self::phpType($goods);
                throw new BadResponseException("GetBills order is $type, expected an object");
            }
        }
        return $result;
    }

    /** @param array<array-key, mixed> $a */
    private static function intField(array $a, string $key): int
    {
        $v = $a[$key] ?? null;
        if (!is_int($v)) {
            throw new \LogicException("Response: the answer has no integer '$key'");
        }
        return $v;
    }

    /**
     * Why a body is not an answer object: its syntax error if it is not
     * JSON, else its shape (shape_error).
     */
    private static function shapeError(string $text, ?\UnexpectedValueException $dataError): BadResponseException
    {
        $p = new self($text);
        try {
            $p->ignoreValue();
            $p->end();
        } catch (\UnexpectedValueException $syntax) {
            return self::notJson($text, $syntax);
        }
        if ($dataError !== null) {
            if ($dataError->getCode() === self::DATA) {
                return new BadResponseException('response object is malformed: ' . Text::quote($dataError->getMessage()));
            }
            return self::notJson($text, $dataError);
        }
        $start = preg_match('/\A[' . self::WS . ']*+/u', $text, $m) === 1 ? strlen($m[0]) : 0;
        $kind = match ($text[$start] ?? '') {
            '"' => 'a string',
            '[' => 'a list',
            't', 'f' => 'a boolean',
            'n' => 'null',
            default => 'a number',
        };
        return new BadResponseException("response is JSON but not an object (got $kind)");
    }

    private static function notJson(string $body, \UnexpectedValueException $e): BadResponseException
    {
        if ($body === '') {
            return new BadResponseException('response body is empty');
        }
        $head = self::lossy(substr($body, 0, 80));
        $what = match (true) {
            $e->getCode() === self::EOF => 'response JSON is truncated',
            preg_match('/\A[' . self::WS . ']*+</u', $head) === 1 => 'response is an HTML page, not JSON',
            default => 'response is not valid JSON',
        };
        return new BadResponseException("$what ({$e->getMessage()}); body starts: " . self::printable($head));
    }

    /** The JSON type of a raw value, from its first byte. */
    private static function rawKind(string $raw): string
    {
        return match ($raw[0] ?? '') {
            '"' => 'a string',
            '[' => 'a list',
            '{' => 'an object',
            't', 'f' => 'a boolean',
            'n' => 'null',
            default => 'a number',
        };
    }

    /** A raw JSON string token decoded as serde_json::from_str::<String> does. */
    private static function stringField(string $raw, string $name): string
    {
        $p = new self($raw);
        try {
            $p->i = 1;
            $s = $p->str();
            $p->end();
        } catch (\UnexpectedValueException $e) {
            throw new BadResponseException("response '$name' is malformed: " . $e->getMessage());
        }
        return $s;
    }

    /**
     * `error_code` as a number and as the exact decimal text that was hashed.
     *
     * @return array{0: int, 1: string}
     */
    private static function errorCode(?string $raw): array
    {
        if ($raw === null) {
            throw new BadResponseException("response has no 'error_code' field");
        }
        $kind = self::rawKind($raw);
        if ($kind === 'a number') {
            $p = new self($raw);
            $ignored = null;
            try {
                $n = $p->document($ignored);
            } catch (\UnexpectedValueException $e) {
                throw new BadResponseException("response 'error_code' is malformed: " . $e->getMessage());
            }
            if (is_int($n)) {
                return [$n, (string) $n];
            }
            $shown = is_float($n) ? self::formatFloat($n) : (string) $n;
            throw new BadResponseException("response 'error_code' $shown is not an integer");
        }
        if ($kind === 'a string') {
            // PHP code may hand the code over as a string; it is hashed as sent.
            $s = self::stringField($raw, 'error_code');
            if (preg_match('/\A-?[0-9]{1,18}\z/', $s) === 1) {
                return [(int) $s, $s];
            }
            throw new BadResponseException("response 'error_code' " . Text::quote($s) . ' is not a number');
        }
        throw new BadResponseException("response 'error_code' is $kind, not a number");
    }

    /** The byte offset where nesting first goes deeper than MAX_NESTING (nesting_exceeded). */
    private static function nestingExceeded(string $json): ?int
    {
        $n = strlen($json);
        $depth = 0;
        $i = 0;
        while (true) {
            $i += strcspn($json, '"[]{}', $i);
            if ($i >= $n) {
                return null;
            }
            $c = $json[$i];
            if ($c === '"') {
                $i++;
                while (true) {
                    if ($i > $n) {
                        return null;
                    }
                    $p = $i < $n ? strcspn($json, '"\\', $i) : 0;
                    if ($i + $p >= $n) {
                        return null; // unterminated: the parser says so
                    }
                    if ($json[$i + $p] === '\\') {
                        $i += $p + 2;
                    } else {
                        $i += $p + 1;
                        break;
                    }
                }
                continue;
            }
            if ($c === '[' || $c === '{') {
                $depth++;
                if ($depth > self::MAX_NESTING) {
                    return $i;
                }
            } else {
                $depth = max(0, $depth - 1);
            }
            $i++;
        }
    }

    /** std::str::Utf8Error::valid_up_to: the length of the longest valid UTF-8 prefix. */
    private static function validUpTo(string $s): int
    {
        preg_match(
            '/\A(?:[\x00-\x7F]|[\xC2-\xDF][\x80-\xBF]|\xE0[\xA0-\xBF][\x80-\xBF]|[\xE1-\xEC\xEE\xEF][\x80-\xBF]{2}'
            . '|\xED[\x80-\x9F][\x80-\xBF]|\xF0[\x90-\xBF][\x80-\xBF]{2}|[\xF1-\xF3][\x80-\xBF]{3}|\xF4[\x80-\x8F][\x80-\xBF]{2})*+/',
            $s,
            $m
        );
        return strlen($m[0] ?? '');
    }

    /** String::from_utf8_lossy: one U+FFFD per maximal invalid subsequence. */
    private static function lossy(string $s): string
    {
        $out = '';
        $n = strlen($s);
        $i = 0;
        while ($i < $n) {
            $rest = substr($s, $i);
            $ok = self::validUpTo($rest);
            $out .= substr($rest, 0, $ok);
            $i += $ok;
            if ($i >= $n) {
                break;
            }
            $b = ord($s[$i]);
            [$need, $lo, $hi] = match (true) {
                $b >= 0xC2 && $b <= 0xDF => [1, 0x80, 0xBF],
                $b === 0xE0 => [2, 0xA0, 0xBF],
                $b === 0xED => [2, 0x80, 0x9F],
                $b >= 0xE1 && $b <= 0xEF => [2, 0x80, 0xBF],
                $b === 0xF0 => [3, 0x90, 0xBF],
                $b === 0xF4 => [3, 0x80, 0x8F],
                $b >= 0xF1 && $b <= 0xF3 => [3, 0x80, 0xBF],
                default => [0, 0, 0],
            };
            $len = 1;
            for ($k = 0; $k < $need && $i + $len < $n; $k++) {
                $c = ord($s[$i + $len]);
                if ($k === 0 ? $c < $lo || $c > $hi : $c < 0x80 || $c > 0xBF) {
                    break;
                }
                $len++;
            }
            $out .= "\u{FFFD}";
            $i += $len;
        }
        return $out;
    }

    /**
     * transport::printable: control characters as spaces, trimmed, then as
     * Rust's `{:?}` writes a string (quotes, `\"`, `\\`, `\u{..}` for
     * grapheme extenders and characters Rust does not print). Unicode
     * properties come from ext/intl when it is loaded (its Unicode version
     * may differ from Rust's in characters assigned since).
     */
    private static function printable(string $s): string
    {
        $s = (string) preg_replace('/[\x{0}-\x{1f}\x{7f}-\x{9f}]/u', ' ', $s);
        $s = (string) preg_replace('/\A[' . self::WS . ']+|[' . self::WS . ']+\z/u', '', $s);
        $out = '"';
        $chars = preg_split('//u', $s, -1, PREG_SPLIT_NO_EMPTY);
        $intl = class_exists(\IntlChar::class);
        foreach ($chars === false ? [] : $chars as $c) {
            if ($c === '"' || $c === '\\') {
                $out .= '\\' . $c;
                continue;
            }
            $cp = self::codepoint($c);
            if ($cp >= 0x80 && $intl && self::unprintable($cp)) {
                $out .= sprintf('\u{%x}', $cp);
                continue;
            }
            $out .= $c;
        }
        return $out . '"';
    }

    /** Rust's char escape_debug: grapheme extenders and Zs (not ' '), Zl, Zp, Cc, Cf, Cs, Co, Cn. */
    private static function unprintable(int $cp): bool
    {
        if (\IntlChar::hasBinaryProperty($cp, \IntlChar::PROPERTY_GRAPHEME_EXTEND)) {
            return true;
        }
        return in_array(\IntlChar::charType($cp), [
            \IntlChar::CHAR_CATEGORY_SPACE_SEPARATOR,
            \IntlChar::CHAR_CATEGORY_LINE_SEPARATOR,
            \IntlChar::CHAR_CATEGORY_PARAGRAPH_SEPARATOR,
            \IntlChar::CHAR_CATEGORY_CONTROL_CHAR,
            \IntlChar::CHAR_CATEGORY_FORMAT_CHAR,
            \IntlChar::CHAR_CATEGORY_SURROGATE,
            \IntlChar::CHAR_CATEGORY_PRIVATE_USE_CHAR,
            \IntlChar::CHAR_CATEGORY_UNASSIGNED,
        ], true);
    }

    /** The code point of one UTF-8 character. */
    private static function codepoint(string $c): int
    {
        $b = array_values(unpack('C*', $c) ?: []);
        return match (count($b)) {
            1 => $b[0],
            2 => (($b[0] & 0x1F) << 6) | ($b[1] & 0x3F),
            3 => (($b[0] & 0x0F) << 12) | (($b[1] & 0x3F) << 6) | ($b[2] & 0x3F),
            4 => (($b[0] & 0x07) << 18) | (($b[1] & 0x3F) << 12) | (($b[2] & 0x3F) << 6) | ($b[3] & 0x3F),
            default => 0,
        };
    }

    /** serde_json's string escaping: `"`, `\`, \b \t \n \f \r, other controls as \u00xx; the rest raw. */
    private static function escapeJson(string $s): string
    {
        return (string) preg_replace_callback('/["\\\\\x00-\x1f]/', static function (array $m): string {
            return match ($m[0]) {
                '"' => '\"',
                '\\' => '\\\\',
                "\x08" => '\b',
                "\t" => '\t',
                "\n" => '\n',
                "\x0c" => '\f',
                "\r" => '\r',
                default => sprintf('\u%04x', ord($m[0])),
            };
        }, $s);
    }

    private static function utf8(int $cp): string
    {
        if ($cp < 0x80) {
            return chr($cp);
        }
        if ($cp < 0x800) {
            return chr(0xC0 | ($cp >> 6)) . chr(0x80 | ($cp & 0x3F));
        }
        if ($cp < 0x10000) {
            return chr(0xE0 | ($cp >> 12)) . chr(0x80 | (($cp >> 6) & 0x3F)) . chr(0x80 | ($cp & 0x3F));
        }
        return chr(0xF0 | ($cp >> 18)) . chr(0x80 | (($cp >> 12) & 0x3F))
            . chr(0x80 | (($cp >> 6) & 0x3F)) . chr(0x80 | ($cp & 0x3F));
    }

    // ---- The parser: serde_json's StrRead deserializer, byte for byte. ----

    /** serde_json's error at byte `$at`: "<code> at line L column C". */
    private function fail(string $code, bool $peek = false, ?int $cat = null): \UnexpectedValueException
    {
        $at = $peek ? min($this->n, $this->i + 1) : $this->i;
        $before = substr($this->s, 0, $at);
        $nl = strrpos($before, "\n");
        $startOfLine = $nl === false ? 0 : $nl + 1;
        $line = 1 + substr_count($before, "\n", 0, $startOfLine);
        $column = $at - $startOfLine;
        $cat ??= in_array($code, [self::EOF_LIST, self::EOF_OBJECT, self::EOF_STRING, self::EOF_VALUE], true)
            ? self::EOF
            : self::SYNTAX;
        return new \UnexpectedValueException("$code at line $line column $column", $cat);
    }

    /** parse_whitespace: the next non-whitespace byte, not consumed. */
    private function ws(): ?string
    {
        if ($this->i < $this->n) {
            $this->i += strspn($this->s, " \n\t\r", $this->i);
        }
        return $this->i < $this->n ? $this->s[$this->i] : null;
    }

    private function peekByte(): ?string
    {
        return $this->i < $this->n ? $this->s[$this->i] : null;
    }

    private function digitsAt(int $at): int
    {
        return $at < $this->n ? strspn($this->s, self::DIGITS, $at) : 0;
    }

    private function isDigit(?string $c): bool
    {
        return $c !== null && $c >= '0' && $c <= '9';
    }

    /** Deserializer::end: only whitespace may follow. */
    private function end(): void
    {
        if ($this->ws() !== null) {
            throw $this->fail(self::TRAILING, true);
        }
    }

    private function ident(string $rest): void
    {
        for ($k = 0, $len = strlen($rest); $k < $len; $k++) {
            if ($this->i >= $this->n) {
                throw $this->fail(self::EOF_VALUE);
            }
            $c = $this->s[$this->i++];
            if ($c !== $rest[$k]) {
                throw $this->fail(self::IDENT);
            }
        }
    }

    /**
     * from_str::<Value>: a whole text as one value; `$items` receives the
     * serde type of each member of a top-level list or object.
     *
     * @param array<array-key, string>|null $items
     */
    private function document(?array &$items): mixed
    {
        $v = $this->value(0, $items);
        $this->end();
        return $v;
    }

    /**
     * deserialize_any with serde_json's ValueVisitor, mapped to what the
     * FFI engine's json_decode gives for it.
     *
     * @param array<array-key, string>|null $items
     */
    private function value(int $level, ?array &$items = null): mixed
    {
        $c = $this->ws();
        switch ($c) {
            case null:
                throw $this->fail(self::EOF_VALUE, true);
            case 'n':
                $this->i++;
                $this->ident('ull');
                $this->kind = 'null';
                return null;
            case 't':
                $this->i++;
                $this->ident('rue');
                $this->kind = 'a boolean';
                return true;
            case 'f':
                $this->i++;
                $this->ident('alse');
                $this->kind = 'a boolean';
                return false;
            case '-':
                $this->i++;
                $this->kind = 'a number';
                return $this->number(false)[0];
            case '"':
                $this->i++;
                $this->kind = 'a string';
                return $this->str();
            case '[':
                $this->recurse();
                $this->i++;
                $out = [];
                $first = true;
                while (true) {
                    $p = $this->ws();
                    if ($p === null) {
                        throw $this->fail(self::EOF_LIST, true);
                    }
                    if ($p === ']') {
                        break;
                    }
                    if ($first) {
                        $first = false;
                    } elseif ($p === ',') {
                        $this->i++;
                        $q = $this->ws();
                        if ($q === ']') {
                            throw $this->fail(self::TRAILING_COMMA, true);
                        }
                        if ($q === null) {
                            throw $this->fail(self::EOF_VALUE, true);
                        }
                    } else {
                        throw $this->fail(self::LIST_COMMA, true);
                    }
                    $out[] = $this->value($level + 1);
                    if ($level === 0 && $items !== null && $this->kind !== 'a list' && $this->kind !== 'an object') {
                        $items[count($out) - 1] = $this->kind;
                    }
                }
                $this->i++; // end_seq: the ']'
                $this->remaining++;
                $this->depth = max($this->depth, $level + 1);
                $this->kind = 'a list';
                return $out;
            case '{':
                return $this->map($level, $items);
            default:
                if ($c === '-' || $this->isDigit($c)) {
                    $this->kind = 'a number';
                    return $this->number(true)[0];
                }
                throw $this->fail(self::VALUE, true);
        }
    }

    private function recurse(): void
    {
        if (--$this->remaining === 0) {
            throw $this->fail(self::RECURSION, true);
        }
    }

    /**
     * The next key of an object whose '{' (and earlier members) are read:
     * past the ',' between members, with serde_json's error for each way
     * that goes wrong; null at the closing '}' (not eaten).
     */
    private function nextKey(bool $first): ?string
    {
        $p = $this->ws();
        if ($p === null) {
            throw $this->fail(self::EOF_OBJECT, true);
        }
        if ($p === '}') {
            return null;
        }
        if ($first) {
            if ($p !== '"') {
                throw $this->fail(self::KEY, true);
            }
        } elseif ($p === ',') {
            $this->i++;
            $q = $this->ws();
            if ($q === '}') {
                throw $this->fail(self::TRAILING_COMMA, true);
            }
            if ($q === null) {
                throw $this->fail(self::EOF_VALUE, true);
            }
            if ($q !== '"') {
                throw $this->fail(self::KEY, true);
            }
        } else {
            throw $this->fail(self::OBJECT_COMMA, true);
        }
        $this->i++;
        return $this->str();
    }

    /**
     * An object (the '{' not yet eaten); a first key RAW_VALUE_TOKEN makes
     * it the JSON inside its string value, as serde_json's raw_value
     * feature reads it.
     *
     * @param array<array-key, string>|null $items
     */
    private function map(int $level, ?array &$items): mixed
    {
        $this->recurse();
        $this->i++;
        $out = [];
        $first = true;
        while (true) {
            $key = $this->nextKey($first);
            if ($key === null) {
                break;
            }
            if ($first && $key === self::RAW_VALUE_TOKEN) {
                return $this->rawValueObject($level, $items);
            }
            $first = false;
            $this->colon();
            $out[$key] = $this->value($level + 1);
            if ($level === 0 && $items !== null) {
                if ($this->kind !== 'a list' && $this->kind !== 'an object') {
                    $items[$key] = $this->kind;
                } else {
                    unset($items[$key]); // a duplicate key: the last value's type
                }
            }
        }
        $this->i++; // end_map: the '}'
        $this->remaining++;
        $this->depth = max($this->depth, $level + 1);
        $this->kind = 'an object';
        return $out;
    }

    /**
     * ValueVisitor's KeyClass::RawValue: the value must be a string, which
     * is parsed as a JSON text of its own (fresh depth limit); only the '}'
     * may follow.
     *
     * @param array<array-key, string>|null $items
     */
    private function rawValueObject(int $level, ?array &$items): mixed
    {
        $this->colon();
        $c = $this->ws();
        if ($c === null) {
            throw $this->fail(self::EOF_VALUE, true);
        }
        if ($c !== '"') {
            throw $this->invalidType('raw value');
        }
        $this->i++;
        $inner = new self($this->str());
        try {
            $v = $inner->value($level, $items);
            $inner->end();
        } catch (\UnexpectedValueException $e) {
            // de::Error::custom keeps the inner text and position: a data error.
            throw new \UnexpectedValueException($e->getMessage(), self::DATA);
        }
        $this->depth = max($this->depth, $inner->depth);
        $this->kind = $inner->kind;
        $p = $this->ws();
        if ($p === '}') {
            $this->i++;
        } elseif ($p === ',') {
            throw $this->fail(self::TRAILING_COMMA, true);
        } elseif ($p !== null) {
            throw $this->fail(self::TRAILING, true);
        } else {
            throw $this->fail(self::EOF_OBJECT, true);
        }
        $this->remaining++;
        return $v;
    }

    /** peek_invalid_type for a visitor expecting `$expected`, positioned as fix_position does. */
    private function invalidType(string $expected): \UnexpectedValueException
    {
        $c = $this->peekByte();
        switch ($c) {
            case 'n':
                $this->i++;
                $this->ident('ull');
                $what = 'null';
                break;
            case 't':
                $this->i++;
                $this->ident('rue');
                $what = 'boolean `true`';
                break;
            case 'f':
                $this->i++;
                $this->ident('alse');
                $what = 'boolean `false`';
                break;
            case '[':
                $what = 'sequence';
                break;
            case '{':
                $what = 'map';
                break;
            default:
                if ($c === '-' || $this->isDigit($c)) {
                    $negative = $c === '-';
                    if ($negative) {
                        $this->i++;
                    }
                    [$v, $float] = $this->number(!$negative);
                    $what = $float
                        ? 'floating point `' . self::formatFloat((float) $v) . '`'
                        : 'integer `' . $v . '`';
                    break;
                }
                return $this->fail(self::VALUE, true);
        }
        return $this->fail("invalid type: $what, expected $expected", false, self::DATA);
    }

    private function colon(): void
    {
        $c = $this->ws();
        if ($c === ':') {
            $this->i++;
            return;
        }
        throw $this->fail($c === null ? self::EOF_OBJECT : self::COLON, true);
    }

    /**
     * parse_integer and what follows (the sign already eaten), as serde
     * reads it with float_roundtrip: the value as json_decode gives it
     * back, and whether it is a float.
     *
     * @return array{0: int|float|string, 1: bool}
     */
    private function number(bool $positive): array
    {
        $start = $this->i;
        if ($this->i >= $this->n) {
            throw $this->fail(self::EOF_VALUE);
        }
        $c = $this->s[$this->i++];
        if ($c === '0') {
            if ($this->isDigit($this->peekByte())) {
                throw $this->fail(self::NUMBER, true);
            }
        } elseif ($c >= '1' && $c <= '9') {
            $this->i += $this->digitsAt($this->i);
        } else {
            throw $this->fail(self::NUMBER);
        }
        $intEnd = $this->i;
        $float = false;
        $zero = null; // an exponent too large for i32: serde's shortcut
        $p = $this->peekByte();
        if ($p === '.') {
            $float = true;
            $this->i++;
            $k = $this->digitsAt($this->i);
            if ($k === 0) {
                throw $this->fail($this->peekByte() === null ? self::EOF_VALUE : self::NUMBER, true);
            }
            $this->i += $k;
            $p = $this->peekByte();
        }
        if ($p === 'e' || $p === 'E') {
            $float = true;
            $zero = $this->exponent($start, $positive);
        }
        $literal = substr($this->s, $start, $this->i - $start);
        if (!$float) {
            $len = strlen($literal);
            $u64 = $len < 20 || ($len === 20 && strcmp($literal, '18446744073709551615') <= 0);
            if ($u64) {
                if ($positive) {
                    $fits = $len < 19 || ($len === 19 && strcmp($literal, '9223372036854775807') <= 0);
                    return [$fits ? (int) $literal : $literal, false];
                }
                if ($literal === '0') {
                    return [-0.0, true];
                }
                if ($len < 19 || ($len === 19 && strcmp($literal, '9223372036854775808') <= 0)) {
                    return [(int) ('-' . $literal), false];
                }
            }
        }
        if ($zero !== null) {
            return [$positive ? 0.0 : -0.0, true];
        }
        $f = (float) $literal;
        if (is_infinite($f)) {
            throw $this->fail(self::RANGE);
        }
        return [$positive ? $f : -$f, true];
    }

    /**
     * parse_exponent: the 'e' is next. Returns true when serde takes its
     * overflow shortcut (an exponent beyond i32 that gives zero), null
     * otherwise; an overflowing positive exponent of a non-zero number is
     * "number out of range" right after the digit that overflowed.
     */
    private function exponent(int $start, bool $positive): ?bool
    {
        $this->i++;
        $p = $this->peekByte();
        $positiveExp = true;
        if ($p === '+' || $p === '-') {
            $positiveExp = $p === '+';
            $this->i++;
        }
        if ($this->i >= $this->n) {
            throw $this->fail(self::EOF_VALUE);
        }
        $c = $this->s[$this->i++];
        if (!$this->isDigit($c)) {
            throw $this->fail(self::NUMBER);
        }
        $exp = (int) $c;
        while ($this->isDigit($d = $this->peekByte())) {
            $this->i++;
            $digit = (int) $d;
            if ($exp >= intdiv(2147483647, 10) && ($exp > intdiv(2147483647, 10) || $digit > 7)) {
                $mantissa = substr($this->s, $start, $this->i - $start);
                $mantissa = substr($mantissa, 0, (int) strcspn($mantissa, 'eE'));
                $zeroSignificand = trim($mantissa, '0.') === '';
                if (!$zeroSignificand && $positiveExp) {
                    throw $this->fail(self::RANGE);
                }
                $this->i += $this->digitsAt($this->i);
                return true;
            }
            $exp = $exp * 10 + $digit;
        }
        return null;
    }

    /** parse_str with validation (the opening quote eaten): the decoded string. */
    private function str(): string
    {
        if (preg_match(self::STRING_TOKEN, $this->s, $m, 0, $this->i) === 1) {
            $token = $m[0];
            if (strpos($token, '\\') === false) {
                $this->i += strlen($token);
                return substr($token, 0, -1);
            }
            if (preg_match('/\\\\u[dD][89a-fA-F]/', $token) !== 1) {
                $v = json_decode('"' . $token, false, 1);
                if (is_string($v)) {
                    $this->i += strlen($token);
                    return $v;
                }
            }
        }
        $out = '';
        while (true) {
            $j = $this->i < $this->n ? strcspn($this->s, self::STOP, $this->i) : 0;
            $out .= substr($this->s, $this->i, $j);
            $this->i += $j;
            if ($this->i >= $this->n) {
                throw $this->fail(self::EOF_STRING);
            }
            $c = $this->s[$this->i++];
            if ($c === '"') {
                return $out;
            }
            if ($c !== '\\') {
                throw $this->fail(self::CONTROL);
            }
            $out .= $this->escape();
        }
    }

    private function escape(): string
    {
        if ($this->i >= $this->n) {
            throw $this->fail(self::EOF_STRING);
        }
        $c = $this->s[$this->i++];
        switch ($c) {
            case '"':
            case '\\':
            case '/':
                return $c;
            case 'b':
                return "\x08";
            case 'f':
                return "\x0c";
            case 'n':
                return "\n";
            case 'r':
                return "\r";
            case 't':
                return "\t";
            case 'u':
                break;
            default:
                throw $this->fail(self::ESCAPE);
        }
        $n1 = $this->hex();
        if ($n1 >= 0xDC00 && $n1 <= 0xDFFF) {
            throw $this->fail(self::LONE);
        }
        if ($n1 < 0xD800 || $n1 > 0xDBFF) {
            return self::utf8($n1);
        }
        foreach (['\\', 'u'] as $want) {
            if ($this->i >= $this->n) {
                throw $this->fail(self::EOF_STRING);
            }
            if ($this->s[$this->i++] !== $want) {
                throw $this->fail(self::HEX_END);
            }
        }
        $n2 = $this->hex();
        if ($n2 < 0xDC00 || $n2 > 0xDFFF) {
            throw $this->fail(self::LONE);
        }
        return self::utf8(((($n1 - 0xD800) << 10) | ($n2 - 0xDC00)) + 0x10000);
    }

    /** decode_hex_escape: four hex digits. */
    private function hex(): int
    {
        if ($this->n - $this->i < 4) {
            $this->i = $this->n;
            throw $this->fail(self::EOF_STRING);
        }
        $h = substr($this->s, $this->i, 4);
        $this->i += 4;
        if (strspn($h, self::HEX) !== 4) {
            throw $this->fail(self::ESCAPE);
        }
        return (int) hexdec($h);
    }

    /** ignore_str (the opening quote eaten): escapes checked, surrogates not. */
    private function ignoreStr(): void
    {
        if (preg_match(self::STRING_TOKEN, $this->s, $m, 0, $this->i) === 1) {
            $this->i += strlen($m[0]);
            return;
        }
        while (true) {
            $this->i += $this->i < $this->n ? strcspn($this->s, self::STOP, $this->i) : 0;
            if ($this->i >= $this->n) {
                throw $this->fail(self::EOF_STRING);
            }
            $c = $this->s[$this->i];
            if ($c === '"') {
                $this->i++;
                return;
            }
            if ($c !== '\\') {
                throw $this->fail(self::CONTROL);
            }
            $this->i++;
            if ($this->i >= $this->n) {
                throw $this->fail(self::EOF_STRING);
            }
            $e = $this->s[$this->i++];
            if ($e === 'u') {
                $this->hex();
            } elseif (strpos('"\\/bfnrt', $e) === false) {
                throw $this->fail(self::ESCAPE);
            }
        }
    }

    /** ignore_integer and its fraction and exponent (the sign eaten). */
    private function ignoreNumber(): void
    {
        $c = $this->peekByte();
        if ($c !== null) {
            $this->i++;
        }
        if ($c === '0') {
            if ($this->isDigit($this->peekByte())) {
                throw $this->fail(self::NUMBER, true);
            }
        } elseif ($c !== null && $c >= '1' && $c <= '9') {
            $this->i += $this->digitsAt($this->i);
        } else {
            throw $this->fail(self::NUMBER);
        }
        $p = $this->peekByte();
        if ($p === '.') {
            $this->i++;
            $k = $this->digitsAt($this->i);
            if ($k === 0) {
                throw $this->fail(self::NUMBER, true);
            }
            $this->i += $k;
            $p = $this->peekByte();
        }
        if ($p === 'e' || $p === 'E') {
            $this->i++;
            $q = $this->peekByte();
            if ($q === '+' || $q === '-') {
                $this->i++;
            }
            $d = $this->peekByte();
            if ($d !== null) {
                $this->i++;
            }
            if (!$this->isDigit($d)) {
                throw $this->fail(self::NUMBER);
            }
            $this->i += $this->digitsAt($this->i);
        }
    }

    /** ignore_value: skips one value without building it (iteratively, any depth). */
    private function ignoreValue(): void
    {
        if (self::$fastPath && preg_match(self::SKIP, $this->s, $m, 0, $this->i) === 1) {
            $this->i += strlen($m[0]);
            return;
        }
        $stack = [];
        $enclosing = null;
        while (true) {
            $c = $this->ws();
            $frame = null;
            switch ($c) {
                case null:
                    throw $this->fail(self::EOF_VALUE, true);
                case 'n':
                    $this->i++;
                    $this->ident('ull');
                    break;
                case 't':
                    $this->i++;
                    $this->ident('rue');
                    break;
                case 'f':
                    $this->i++;
                    $this->ident('alse');
                    break;
                case '-':
                    $this->i++;
                    $this->ignoreNumber();
                    break;
                case '"':
                    $this->i++;
                    $this->ignoreStr();
                    break;
                case '[':
                case '{':
                    if ($enclosing !== null) {
                        $stack[] = $enclosing;
                        $enclosing = null;
                    }
                    $this->i++;
                    $frame = $c;
                    break;
                default:
                    if (!$this->isDigit($c)) {
                        throw $this->fail(self::VALUE, true);
                    }
                    $this->ignoreNumber();
            }
            if ($frame !== null) {
                $acceptComma = false;
            } elseif ($enclosing !== null) {
                $frame = $enclosing;
                $enclosing = null;
                $acceptComma = true;
            } elseif ($stack !== []) {
                $frame = array_pop($stack);
                $acceptComma = true;
            } else {
                return;
            }
            while (true) {
                $p = $this->ws();
                if ($p === ',' && $acceptComma) {
                    $this->i++;
                    break;
                }
                if (!(($p === ']' && $frame === '[') || ($p === '}' && $frame === '{'))) {
                    if ($p === null) {
                        throw $this->fail($frame === '[' ? self::EOF_LIST : self::EOF_OBJECT, true);
                    }
                    if ($acceptComma) {
                        throw $this->fail($frame === '[' ? self::LIST_COMMA : self::OBJECT_COMMA, true);
                    }
                    break;
                }
                $this->i++;
                if ($stack === []) {
                    return;
                }
                $frame = array_pop($stack);
                $acceptComma = true;
            }
            if ($frame === '{') {
                $p = $this->ws();
                if ($p === '"') {
                    $this->i++;
                } else {
                    throw $this->fail($p === null ? self::EOF_OBJECT : self::KEY, true);
                }
                $this->ignoreStr();
                $p = $this->ws();
                if ($p === ':') {
                    $this->i++;
                } else {
                    throw $this->fail($p === null ? self::EOF_OBJECT : self::COLON, true);
                }
            }
            $enclosing = $frame;
        }
    }

    /**
     * The answer object as response.rs's RawAnswer reads it: each signed
     * field's raw JSON text (null when absent or `null`), other fields
     * skipped, a field given twice a data error, then only whitespace.
     *
     * @return array<string, string|null>
     */
    private function rawAnswer(): array
    {
        $c = $this->ws();
        if ($c !== '{') {
            // After the caller's Unicode trim only a non-JSON space can be here.
            throw $this->fail(self::VALUE, true);
        }
        $this->recurse();
        $this->i++;
        $fields = [];
        $first = true;
        while (true) {
            $key = $this->nextKey($first);
            if ($key === null) {
                break;
            }
            $first = false;
            if (!in_array($key, ['hash', 'error_code', 'error_text', 'result'], true)) {
                $this->colon();
                $this->ignoreValue();
                continue;
            }
            if (array_key_exists($key, $fields)) {
                // serde's duplicate_field, positioned by fix_position after
                // deserialize_struct's end_map ran (a '}' here is a syntax
                // error that shapeError reports instead: kept for fidelity).
                if ($this->ws() === '}') {
                    $this->i++;
                }
                throw $this->fail("duplicate field `$key`", false, self::DATA);
            }
            $this->colon();
            if ($this->ws() === 'n') {
                $this->i++;
                $this->ident('ull');
                $fields[$key] = null;
                continue;
            }
            $from = $this->i;
            $this->ignoreValue();
            $fields[$key] = substr($this->s, $from, $this->i - $from);
        }
        $this->i++;
        $this->end();
        return $fields;
    }
}
