<?php

declare(strict_types=1);

namespace JustClick\Pure;

/**
 * The library's method table (src/api/spec.rs) as PHP data: what the
 * pure-PHP engine validates against, so that both engines follow one
 * source of rules. Generated into the marked region by tests/generated.rs
 * (`make header`); a test fails when it is out of date. Do not edit the
 * region by hand.
 *
 * @internal
 */
final class Table
{
    // generated:begin table (tests/generated.rs; make header)
    /** Every method: documented name => its declaration. */
    public const METHODS = [
        'AddLeadToGroup' => [
            'snake' => 'add_lead_to_group',
            'params' => [
                'rid' => [true, 'id_list'],
                'lead_email' => [true, 'email'],
                'lead_name' => [false, 'text'],
                'lead_phone' => [false, 'text'],
                'lead_city' => [false, 'text'],
                'tag' => [false, 'text'],
                'doneurl2' => [false, 'url'],
                'activation' => [false, 'bool'],
                'utm' => [false, 'utm'],
                'aff' => [false, 'int'],
                'ad' => [false, 'int'],
                'noaff' => [false, 'flag'],
            ],
            'good_fields' => false,
            'result' => 'status',
            'special' => 'lead_outcome',
            'idempotent' => false,
            'deprecated' => false,
            'legacy_typed' => false,
            'named' => ['rid', 'lead_email', 'lead_name', 'lead_phone', 'lead_city', 'tag'],
        ],
        'UpdateSubscriberData' => [
            'snake' => 'update_subscriber_data',
            'params' => [
                'lead_email' => [true, 'email'],
                'lead_name' => [false, 'text'],
                'lead_phone' => [false, 'text'],
                'lead_city' => [false, 'text'],
                'lead_tags' => [false, 'text'],
            ],
            'good_fields' => false,
            'result' => 'status',
            'special' => 'none',
            'idempotent' => false,
            'deprecated' => false,
            'legacy_typed' => false,
            'named' => [],
        ],
        'DeleteSubscribe' => [
            'snake' => 'delete_subscribe',
            'params' => [
                'lead_email' => [true, 'email'],
                'rass_name' => [true, 'id_or_list'],
            ],
            'good_fields' => false,
            'result' => 'status',
            'special' => 'none',
            'idempotent' => false,
            'deprecated' => false,
            'legacy_typed' => false,
            'named' => [],
        ],
        'GetLeadGroupStatuses' => [
            'snake' => 'get_lead_group_statuses',
            'params' => [
                'email' => [true, 'email'],
            ],
            'good_fields' => false,
            'result' => 'lead_group_statuses',
            'special' => 'none',
            'idempotent' => false,
            'deprecated' => false,
            'legacy_typed' => false,
            'named' => [],
        ],
        'GetLeadGroups' => [
            'snake' => 'get_lead_groups',
            'params' => [
                'email' => [true, 'email'],
            ],
            'good_fields' => false,
            'result' => 'groups',
            'special' => 'none',
            'idempotent' => false,
            'deprecated' => true,
            'legacy_typed' => false,
            'named' => [],
        ],
        'GetAllGroups' => [
            'snake' => 'get_all_groups',
            'params' => [
            ],
            'good_fields' => false,
            'result' => 'groups',
            'special' => 'none',
            'idempotent' => false,
            'deprecated' => false,
            'legacy_typed' => false,
            'named' => [],
        ],
        'GetCountSubscribe' => [
            'snake' => 'get_count_subscribe',
            'params' => [
                'group_name' => [true, 'text'],
            ],
            'good_fields' => false,
            'result' => 'count',
            'special' => 'none',
            'idempotent' => false,
            'deprecated' => false,
            'legacy_typed' => false,
            'named' => [],
        ],
        'CreateOrder' => [
            'snake' => 'create_order',
            'params' => [
                'goods' => [true, 'goods'],
                'bill_first_name' => [false, 'text'],
                'bill_surname' => [false, 'text'],
                'bill_otchestvo' => [false, 'text'],
                'bill_email' => [true, 'email'],
                'bill_phone' => [false, 'text'],
                'bill_country' => [false, 'text'],
                'bill_region' => [false, 'text'],
                'bill_city' => [false, 'text'],
                'bill_address' => [false, 'text'],
                'bill_postal_code' => [false, 'text'],
                'bill_kupon' => [false, 'text'],
                'bill_tag' => [false, 'text'],
                'bill_comment' => [false, 'text'],
                'bill_ip' => [false, 'text'],
                'bill_timer_kill' => [false, 'timer_kill'],
                'bill_created' => [false, 'unix_seconds'],
                'bill_domain' => [false, 'domain'],
                'utm' => [false, 'utm'],
                'bill_aff' => [false, 'int'],
                'bill_aff_name' => [false, 'text'],
                'bill_paff' => [false, 'int'],
                'bill_paff_name' => [false, 'text'],
                'bill_ad_id' => [false, 'int'],
            ],
            'good_fields' => false,
            'result' => 'bill_id',
            'special' => 'existing_order',
            'idempotent' => false,
            'deprecated' => false,
            'legacy_typed' => false,
            'named' => ['goods', 'bill_email', 'bill_first_name', 'bill_phone'],
        ],
        'getOrderDetails' => [
            'snake' => 'get_order_details',
            'params' => [
                'bill_id' => [true, 'int'],
                'good_info' => [false, 'bool'],
            ],
            'good_fields' => false,
            'result' => 'order',
            'special' => 'none',
            'idempotent' => false,
            'deprecated' => false,
            'legacy_typed' => false,
            'named' => ['bill_id', 'good_info'],
        ],
        'GetOrderInfo' => [
            'snake' => 'get_order_info',
            'params' => [
                'bill_id' => [true, 'int'],
                'good_info' => [false, 'bool'],
            ],
            'good_fields' => false,
            'result' => 'orders',
            'special' => 'none',
            'idempotent' => false,
            'deprecated' => true,
            'legacy_typed' => false,
            'named' => [],
        ],
        'getOrdersWithGoods' => [
            'snake' => 'get_orders_with_goods',
            'params' => [
                'begin_date' => [false, 'date_dmy'],
                'end_date' => [false, 'date_dmy'],
                'paid' => [false, 'bool'],
                'goods' => [false, 'id_or_list'],
            ],
            'good_fields' => false,
            'result' => 'orders',
            'special' => 'date_range',
            'idempotent' => false,
            'deprecated' => false,
            'legacy_typed' => false,
            'named' => [],
        ],
        'GetOrders' => [
            'snake' => 'get_orders',
            'params' => [
                'date_s' => [false, 'unix_seconds'],
                'date_e' => [false, 'unix_seconds'],
                'paid' => [false, 'bool'],
                'goods' => [false, 'id_or_list'],
            ],
            'good_fields' => false,
            'result' => 'orders',
            'special' => 'none',
            'idempotent' => false,
            'deprecated' => true,
            'legacy_typed' => false,
            'named' => [],
        ],
        'DeleteOrder' => [
            'snake' => 'delete_order',
            'params' => [
                'bill_id' => [true, 'text'],
            ],
            'good_fields' => false,
            'result' => 'status',
            'special' => 'none',
            'idempotent' => true,
            'deprecated' => false,
            'legacy_typed' => true,
            'named' => [],
        ],
        'UpdateOrderStatus' => [
            'snake' => 'update_order_status',
            'params' => [
                'bill_id' => [true, 'text'],
                'status' => [true, ['enum', ['sent', 'paid', 'return', 'cancel']]],
                'date' => [false, 'unix_seconds'],
                'rpo' => [false, 'text'],
            ],
            'good_fields' => false,
            'result' => 'status',
            'special' => 'none',
            'idempotent' => true,
            'deprecated' => false,
            'legacy_typed' => true,
            'named' => [],
        ],
        'GetBills' => [
            'snake' => 'get_bills',
            'params' => [
                'email' => [true, 'email'],
                'pay_status' => [false, ['enum', ['paid', 'waiting', 'cancel']]],
            ],
            'good_fields' => false,
            'result' => 'bills',
            'special' => 'none',
            'idempotent' => true,
            'deprecated' => false,
            'legacy_typed' => true,
            'named' => [],
        ],
        'AddGood' => [
            'snake' => 'add_good',
            'params' => [
                'good_name' => [true, 'text'],
                'good_type' => [true, ['enum', ['1', '0']]],
                'good_title' => [true, 'text'],
                'good_sum' => [true, 'number'],
            ],
            'good_fields' => true,
            'result' => 'status',
            'special' => 'none',
            'idempotent' => false,
            'deprecated' => false,
            'legacy_typed' => false,
            'named' => [],
        ],
        'UpdateGood' => [
            'snake' => 'update_good',
            'params' => [
                'good_name' => [true, 'text'],
            ],
            'good_fields' => true,
            'result' => 'status',
            'special' => 'none',
            'idempotent' => true,
            'deprecated' => false,
            'legacy_typed' => true,
            'named' => [],
        ],
        'DeleteGood' => [
            'snake' => 'delete_good',
            'params' => [
                'good_name' => [true, 'text'],
            ],
            'good_fields' => false,
            'result' => 'status',
            'special' => 'none',
            'idempotent' => false,
            'deprecated' => false,
            'legacy_typed' => false,
            'named' => [],
        ],
        'GetAllGoods' => [
            'snake' => 'get_all_goods',
            'params' => [
            ],
            'good_fields' => false,
            'result' => 'goods',
            'special' => 'none',
            'idempotent' => false,
            'deprecated' => false,
            'legacy_typed' => false,
            'named' => [],
        ],
        'GetPartnerStats' => [
            'snake' => 'get_partner_stats',
            'params' => [
                'partner' => [true, 'text'],
                'date_from' => [false, 'date_ymd'],
                'date_to' => [false, 'date_ymd'],
            ],
            'good_fields' => false,
            'result' => 'partner_stats',
            'special' => 'none',
            'idempotent' => false,
            'deprecated' => false,
            'legacy_typed' => false,
            'named' => [],
        ],
    ];

    /**
     * The UpdateGood fields, in the order they are sent, with their types as
     * src/good.rs declares them: 'string' (text or integer), 'int', 'float',
     * 'bool' (0 or 1) or ['enum', [values]].
     */
    public const GOOD_FIELDS = [
        'good_name' => 'string',
        'good_title' => 'string',
        'parent_id' => 'int',
        'good_sum' => 'float',
        'good_api_url_notif' => 'string',
        'good_api_url_new_order' => 'string',
        'good_success_link' => 'string',
        'good_client_rassilki' => 'string',
        'good_nalozh_only' => 'bool',
        'good_quickpost_article' => 'string',
        'good_post_service' => ['enum', ['none', 'quickpost', 'rps']],
        'good_only_countries' => 'string',
        'good_download' => 'string',
        'good_mail_subject' => 'string',
        'good_mail_format' => ['enum', ['html', 'text']],
        'good_mail_body' => 'string',
        'good_mail_text' => 'string',
        'good_partner_fee' => 'float',
        'good_partner_fee_perc' => 'float',
        'good_partner_pfee' => 'float',
        'good_partner_pfee_perc' => 'float',
        'good_partner_show' => 'bool',
        'good_partner_SL_link' => 'string',
        'good_partner_addition_link' => 'string',
        'good_partner_text' => 'string',
        'good_pay_text' => 'string',
        'good_timer' => 'bool',
        'good_timer_unit' => ['enum', ['min', 'hour', 'day']],
        'good_timer_duration' => 'int',
        'good_use_short' => 'bool',
        'good_rashod' => 'float',
        'good_rashod_perc' => 'float',
        'good_publish' => 'bool',
    ];

    /** The keys of a `utm` object. */
    public const UTM_KEYS = ['utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term', 'aff_source', 'aff_medium', 'aff_campaign', 'aff_content', 'aff_term'];

    /** The keys of one CreateOrder line. */
    public const GOODS_KEYS = ['good_name', 'good_sum'];

    /** The client options (names as in jc_client_new). */
    public const OPTION_NAMES = ['base_url', 'allow_insecure_http', 'timeout_ms', 'connect_timeout_ms', 'ca_file', 'proxy', 'user_agent', 'max_response_bytes', 'rate_limit_retries', 'rate_limit_backoff_ms', 'persistent', 'idle_timeout_ms', 'batch_timeout_ms'];

    /** The version of the library this table is from (Cargo.toml). */
    public const VERSION = '0.1.0';
    // generated:end
}
