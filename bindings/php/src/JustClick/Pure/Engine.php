<?php

declare(strict_types=1);

namespace JustClick\Pure;

use JustClick\Engine\Engine as EngineInterface;
use JustClick\ExceptionInterface;
use JustClick\InvalidArgumentException;

/**
 * The pure-PHP engine: libjustclick's behaviour in PHP (ext-curl and
 * ext-json only), for hosts where FFI cannot load. Validation comes from
 * the generated method table ({@see Table}), bytes on the wire from
 * {@see Wire}, HTTP from {@see Transport}, answers from {@see Response}.
 *
 * The secret is kept in a static WeakMap keyed by the engine, never in a
 * property, so var_dump(), print_r(), var_export() and serialize() of any
 * object cannot show it.
 *
 * `persistent` keeps the transport (its kept-alive connections) in a
 * static pool for clients with the same login, secret and options: for
 * the rest of the process under the CLI, for the rest of the request under
 * PHP-FPM (PHP frees static state after each request; nothing outlives
 * it, unlike the FFI engine's pool).
 *
 * @internal
 */
final class Engine implements EngineInterface
{
    /** Most calls in one batch, and most in flight (the library's limits). */
    private const MAX_BATCH = 10_000;
    private const MAX_CONCURRENCY = 64;

    /** Most persistent transports kept at once (the library keeps 16 pools). */
    private const POOL_SIZE = 16;

    /** @var \WeakMap<Engine, string>|null */
    private static ?\WeakMap $secrets = null;

    /** @var array<string, Transport> persistent transports by login, secret and options */
    private static array $pool = [];

    /** @var array<string, string>|null snake_case name => documented name */
    private static ?array $snakes = null;

    private string $login;

    private string $base;

    private Options $options;

    private Transport $transport;

    /**
     * @param array<array-key, mixed> $options the library's options (as jc_client_new gets them)
     *
     * @throws InvalidArgumentException for what the library refuses
     */
    public function __construct(string $login, #[\SensitiveParameter] string $secret, #[\SensitiveParameter] array $options)
    {
        Validate::utf8($login, 'login');
        Validate::utf8($secret, 'secret');
        Validate::encodable((object) $options, 'options');
        $this->options = Options::fromArray($options);
        $this->base = $this->options->base($login, $secret);
        $this->login = $login;
        if ($this->options->persistent) {
            $key = hash('sha256', serialize([$login, $secret, $this->base, (array) $this->options]));
            $transport = self::$pool[$key] ?? null;
            if ($transport === null) {
                $transport = new Transport($this->options, $this->base);
                if (count(self::$pool) >= self::POOL_SIZE) {
                    array_shift(self::$pool);
                }
            } else {
                unset(self::$pool[$key]); // re-added last: the most recently used
            }
            self::$pool[$key] = $transport;
            $this->transport = $transport;
        } else {
            $this->transport = new Transport($this->options, $this->base);
        }
        if ($this->options->proxy !== null) {
            // The transport has it; what stays visible carries no password.
            $this->options->proxy = Transport::redactUserinfo($this->options->proxy);
        }
        self::$secrets ??= new \WeakMap();
        self::$secrets[$this] = $secret;
    }

    private function __clone()
    {
    }

    public function close(): void
    {
        if (self::$secrets !== null) {
            unset(self::$secrets[$this]);
        }
    }

    public function name(): string
    {
        return 'php';
    }

    public function library(): string
    {
        return 'pure PHP (' . dirname(__DIR__) . ')';
    }

    public function libraryVersion(): string
    {
        return Table::VERSION;
    }

    public function deleteOrder(string $billId): array
    {
        return Response::success('DeleteOrder', $this->send('DeleteOrder', Validate::deleteOrder($billId)));
    }

    public function updateOrderStatus(string $billId, string $status, int $date, ?string $rpo): array
    {
        $params = Validate::updateOrderStatus($billId, $status, $date, $rpo);
        return Response::success('UpdateOrderStatus', $this->send('UpdateOrderStatus', $params));
    }

    public function getBills(string $email, ?string $payStatus): array
    {
        return Response::success('GetBills', $this->send('GetBills', Validate::getBills($email, $payStatus)));
    }

    public function updateGood(array $good): array
    {
        return Response::success('UpdateGood', $this->send('UpdateGood', Validate::updateGood($good)));
    }

    public function method(string $snake, array $params): array
    {
        $name = self::snakes()[$snake] ?? $snake;
        $params = Validate::method($name, $params);
        if ((Table::METHODS[$name]['special'] ?? null) === 'date_range') {
            return $this->ordersWithGoods($name, $params);
        }
        return Response::success($name, $this->send($name, $params));
    }

    public function call(string $method, array $params): array
    {
        // The FFI engine encodes the params before the library reads the name.
        if ($params !== []) {
            Validate::json((object) $params, 'params', 'params_json');
        }
        Validate::methodName($method);
        return Response::success(null, $this->send($method, $params), $method);
    }

    public function verifyNotification(string $body): array
    {
        return Notify::verify($body, $this->secret());
    }

    public function batch(array $calls, int $concurrency): array
    {
        if ($concurrency < 1 || $concurrency > self::MAX_CONCURRENCY) {
            throw new InvalidArgumentException(
                'concurrency must be between 1 and ' . self::MAX_CONCURRENCY . ", got $concurrency"
            );
        }
        // The list as the FFI engine hands it over (params as objects).
        $list = [];
        foreach ($calls as $call) {
            $call['params'] = (object) $call['params'];
            $list[] = $call;
        }
        Validate::json($list, 'calls', 'calls_json');
        if (count($calls) > self::MAX_BATCH) {
            throw new InvalidArgumentException(
                'a batch holds at most ' . self::MAX_BATCH . ' calls, got ' . count($calls)
            );
        }
        return (new Batch($this, $this->transport, $this->options))->run($calls, $concurrency);
    }

    /**
     * What one call of a batch sends: the URL and the signed body, or the
     * failure that stops it before any traffic.
     *
     * @param array<array-key, mixed> $params
     *
     * @return array{0: string, 1: string}
     *
     * @throws ExceptionInterface
     */
    public function prepare(string $method, array $params): array
    {
        Validate::methodName($method);
        return $this->request($method, $params);
    }

    /**
     * The success document of an answer body to a generic call.
     *
     * @return array<array-key, mixed>
     *
     * @throws ExceptionInterface
     */
    public function answer(string $method, string $body): array
    {
        return Response::success(null, Response::answer($body, $this->secret(), $this->login), $method);
    }

    /**
     * Sends validated params and returns the verified answer.
     *
     * @param array<array-key, mixed> $params
     *
     * @return array{code: int, text: string, result: mixed}
     */
    private function send(string $method, array $params): array
    {
        [$url, $body] = $this->request($method, $params);
        return Response::answer($this->transport->post($url, $body), $this->secret(), $this->login);
    }

    /**
     * The URL and the signed body of a call.
     *
     * @param array<array-key, mixed> $params
     *
     * @return array{0: string, 1: string}
     */
    private function request(string $method, array $params): array
    {
        return [$this->base . '/api/' . $method, Wire::signedBody(Wire::encode($params), $this->login, $this->secret())];
    }

    /**
     * getOrdersWithGoods over any range: one call per part the service
     * accepts, merged (see {@see Range}).
     *
     * @param array<array-key, mixed> $params validated
     *
     * @return array<array-key, mixed>
     */
    private function ordersWithGoods(string $name, array $params): array
    {
        return Range::run($params, fn (array $part): array => $this->send($name, $part));
    }

    private function secret(): string
    {
        $secret = self::$secrets[$this] ?? null;
        if (!is_string($secret)) {
            throw new \LogicException('this JustClick\Client has been freed');
        }
        return $secret;
    }

    /** @return array<string, string> */
    private static function snakes(): array
    {
        if (self::$snakes === null) {
            self::$snakes = [];
            foreach (Table::METHODS as $name => $m) {
                self::$snakes[$m['snake']] = $name;
            }
        }
        return self::$snakes;
    }
}
