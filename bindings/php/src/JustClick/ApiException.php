<?php

declare(strict_types=1);

namespace JustClick;

/**
 * The service answered (with a verified signature) `error_code != 0`.
 *
 * getCode() is the service's `error_code` and getMessage() its `error_text`
 * (often Russian), e.g. 200 "Заказ не существует", 400 "Заказы не найдены"
 * (GetBills for a customer without orders), 8 "Превышен лимит запросов к
 * API" (request limit reached).
 */
class ApiException extends \RuntimeException implements ExceptionInterface
{
    /**
     * The arguments are in \RuntimeException's order, so code written for
     * any exception (`new ApiException($text, $code)`) builds it right.
     *
     * @param string          $errorText the service's error_text
     * @param int             $errorCode the service's error_code
     * @param \Throwable|null $previous  chained exception, if any
     */
    public function __construct(string $errorText, int $errorCode = 0, ?\Throwable $previous = null)
    {
        parent::__construct($errorText, $errorCode, $previous);
    }

    /**
     * The service's error_code (same as getCode()).
     */
    public function getErrorCode(): int
    {
        return $this->getCode();
    }

    /**
     * The service's error_text (same as getMessage()).
     */
    public function getErrorText(): string
    {
        return $this->getMessage();
    }
}
