<?php
// Regenerates tests/data/notify_vectors.jsonl with real PHP (8.2):
//   php tests/data/notify_vectors.php > tests/data/notify_vectors.jsonl
// Each line is one notification body built with http_build_query from the
// field lists of API-EXT.md §8, signed with md5(id . email . <time> . secret),
// and the outcome the library must report. `fields` is what PHP's own parse
// of the body gives ($_POST without `hash`), as json_encode writes it.
const SECRET = 'pH7-api-key-0123456789abcdefABCDEF012345';
const JSON = JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES;

function sign(array $p, string $time, string $secret = SECRET): string {
    return md5($p['id'] . $p['email'] . $time . $secret);
}

function emit(string $name, string $body, array $expect, string $secret = SECRET): void {
    parse_str($body, $post);
    unset($post['hash']);
    $line = ['name' => $name, 'secret' => $secret, 'body' => $body] + $expect;
    if (!isset($expect['error'])) {
        $line['fields'] = $post;
    }
    echo json_encode($line, JSON), "\n";
}

$utm = ['medium' => 'cpc', 'source' => 'yandex', 'campaign' => 'осень/2026', 'content' => 'a&b=c', 'term' => 'курс + книга'];
$person = [
    'first_name' => 'Иван', 'last_name' => 'Петров', 'middle_name' => 'Сергеевич',
    'email' => 'ivan+shop@example.com', 'phone' => '+7 (900) 123-45-67', 'city' => 'Москва',
    'country' => 'Россия',
];
$items = [
    ['id' => '15', 'title' => 'Супер товар', 'sum' => '1500.00', 'price' => '1500'],
    ['id' => '16', 'title' => 'Book "2"', 'sum' => '99.5', 'price' => '99.5'],
];
$paidItems = [
    ['id' => '15', 'title' => 'Супер товар', 'sum' => '1500.00', 'price' => '1500', 'pincode' => 'PIN-1',
     'partners' => [
         ['partner_lvl' => '1', 'partner_id' => '501', 'partner_name' => 'partner1', 'partner_fee' => '150.00'],
         ['partner_lvl' => '2', 'partner_id' => '502', 'partner_name' => 'Партнёр 2', 'partner_fee' => '30'],
     ]],
    ['id' => '16', 'title' => 'Book "2"', 'sum' => '99.5', 'price' => '99.5', 'pincode' => ''],
];

// 8.1 new order
$new = ['status' => 'new_order', 'id' => '100123'] + $person + [
    'address' => 'ул. Ленина, 1', 'region' => 'Московская обл.', 'postalcode' => '101000',
    'created' => '1700000000', 'comment' => 'позвоните мне', 'tag' => 'vip', 'kupon' => 'SALE10',
    'domain' => 'shop.example.com', 'link' => 'https://shop.example.com/pay/100123?x=1&y=2',
    'utm' => $utm, 'items' => $items,
];
emit('new_order documented', http_build_query($new + ['hash' => sign($new, $new['created'])]),
    ['event' => 'new_order', 'verified' => true, 'hash_rule' => 'documented']);
emit('new_order empty_time', http_build_query($new + ['hash' => sign($new, '')]),
    ['event' => 'new_order', 'verified' => true, 'hash_rule' => 'empty_time']);
emit('new_order signed with paid time', http_build_query($new + ['hash' => sign($new, '1700000500')]),
    ['error' => 'bad_signature']);
$newNoTime = $new;
unset($newNoTime['created']);
emit('new_order without created (empty time)', http_build_query($newNoTime + ['hash' => sign($newNoTime, '')]),
    ['event' => 'new_order', 'verified' => true, 'hash_rule' => 'empty_time']);

// 8.2 cancelled order
$cancel = ['status' => 'cancel_order', 'id' => '100124'] + $person + [
    'region' => 'Московская обл.', 'postalcode' => '101000', 'created' => '1700000100',
    'comment' => '', 'utm' => $utm, 'items' => $items,
];
emit('cancel_order documented', http_build_query($cancel + ['hash' => sign($cancel, $cancel['created'])]),
    ['event' => 'cancel_order', 'verified' => true, 'hash_rule' => 'documented']);
emit('cancel_order empty_time', http_build_query($cancel + ['hash' => sign($cancel, '')]),
    ['event' => 'cancel_order', 'verified' => true, 'hash_rule' => 'empty_time']);
emit('cancel_order signed with another time', http_build_query($cancel + ['hash' => sign($cancel, '1700000101')]),
    ['error' => 'bad_signature']);

// 8.3 payment
$pay = ['id' => '100125'] + $person + [
    'address' => 'ул. Ленина, 1', 'region' => 'Московская обл.', 'postalcode' => '101000',
    'created' => '1700000000', 'paid' => '1700000500', 'last_payment_sum' => '1599.50',
    'comment' => '', 'tag' => 'vip', 'kupon' => 'SALE10', 'type' => 'full', 'payway' => 'Картой',
    'domain' => 'shop.example.com', 'is_recurrent' => '0', 'utm' => $utm, 'items' => $paidItems,
];
emit('payment documented', http_build_query($pay + ['hash' => sign($pay, $pay['paid'])]),
    ['event' => 'payment', 'verified' => true, 'hash_rule' => 'documented']);
// API-EXT.md §8: the documented time first, the empty time as the fallback,
// for every event (payment included).
emit('payment with empty-time hash', http_build_query($pay + ['hash' => sign($pay, '')]),
    ['event' => 'payment', 'verified' => true, 'hash_rule' => 'empty_time']);
emit('payment with created-time hash', http_build_query($pay + ['hash' => sign($pay, $pay['created'])]),
    ['error' => 'bad_signature']);
$payMinimal = ['id' => '7', 'email' => 'a@example.com', 'last_payment_sum' => '10'];
emit('payment by last_payment_sum only (paid absent = empty time)',
    http_build_query($payMinimal + ['hash' => sign($payMinimal, '')]),
    ['event' => 'payment', 'verified' => true, 'hash_rule' => 'empty_time']);
emit('payment by last_payment_sum only, signed with a time',
    http_build_query($payMinimal + ['hash' => sign($payMinimal, '1700000500')]),
    ['error' => 'bad_signature']);
$good = sign($pay, $pay['paid']);
foreach ([
    'email' => 'attacker@example.com', 'id' => '100126', 'paid' => '1700000501',
] as $k => $v) {
    emit("payment tampered $k", http_build_query([$k => $v] + $pay + ['hash' => $good]), ['error' => 'bad_signature']);
}
$unsigned = $pay;
$unsigned['last_payment_sum'] = '1.00';
$unsigned['items'][0]['partners'][0]['partner_fee'] = '1500.00';
emit('payment: unsigned fields changed still verify (only id, email, time are signed)',
    http_build_query($unsigned + ['hash' => $good]),
    ['event' => 'payment', 'verified' => true, 'hash_rule' => 'documented']);
emit('payment missing hash', http_build_query($pay), ['error' => 'bad_signature']);
emit('payment empty hash', http_build_query($pay + ['hash' => '']), ['error' => 'bad_signature']);
emit('payment hash as array', http_build_query($pay + ['hash' => [$good]]), ['error' => 'bad_signature']);
emit('payment upper-case hash', http_build_query($pay + ['hash' => strtoupper($good)]), ['error' => 'bad_signature']);
emit('payment hash with trailing space', http_build_query($pay + ['hash' => "$good "]), ['error' => 'bad_signature']);
emit('payment wrong secret', http_build_query($pay + ['hash' => sign($pay, $pay['paid'], 'other-secret')]),
    ['error' => 'bad_signature']);
// Duplicated keys: PHP keeps the first position and the last value.
$body = 'paid=1&' . http_build_query($pay + ['hash' => 'f' . substr($good, 1)]) . '&hash=' . $good;
emit('payment duplicated keys (last value wins)', $body,
    ['event' => 'payment', 'verified' => true, 'hash_rule' => 'documented']);
emit('payment duplicated hash, wrong one last', http_build_query($pay + ['hash' => $good]) . '&hash=' . str_repeat('0', 32),
    ['error' => 'bad_signature']);
$post = null;
parse_str(http_build_query($pay) . '&email=x@example.com', $post);
emit('payment duplicated email signed as PHP parses it',
    http_build_query($pay) . '&email=x@example.com&hash=' . sign($post, $post['paid']),
    ['event' => 'payment', 'verified' => true, 'hash_rule' => 'documented']);
// Items in a non-list order stay an object, as json_encode writes it.
$odd = $pay;
$odd['items'] = [1 => $paidItems[1], 0 => $paidItems[0]];
emit('payment items keyed out of order', http_build_query($odd + ['hash' => $good]),
    ['event' => 'payment', 'verified' => true, 'hash_rule' => 'documented']);

// 8.4 prepayment
$pre = ['id' => '100127'] + $person + [
    'region' => 'Московская обл.', 'postalcode' => '101000', 'created' => '1700000000',
    'prepayment_sum' => '500', 'tag' => '', 'coupon' => 'SALE10', 'domain' => 'shop.example.com',
    'link' => 'https://shop.example.com/pay/100127', 'is_recurrent' => '0', 'utm' => $utm,
    'items' => $paidItems,
];
emit('prepayment without paid (empty time)', http_build_query($pre + ['hash' => sign($pre, '')]),
    ['event' => 'prepayment', 'verified' => true, 'hash_rule' => 'empty_time']);
$prePaid = $pre + ['paid' => '1700000300'];
emit('prepayment with paid documented', http_build_query($prePaid + ['hash' => sign($prePaid, $prePaid['paid'])]),
    ['event' => 'prepayment', 'verified' => true, 'hash_rule' => 'documented']);
emit('prepayment with paid, empty time', http_build_query($prePaid + ['hash' => sign($prePaid, '')]),
    ['event' => 'prepayment', 'verified' => true, 'hash_rule' => 'empty_time']);
emit('prepayment signed with created', http_build_query($pre + ['hash' => sign($pre, $pre['created'])]),
    ['error' => 'bad_signature']);

// 8.5 moneyback
$back = ['status' => 'moneyback', 'id' => '100128'] + $person + [
    'region' => 'Московская обл.', 'postalcode' => '101000', 'created' => '1700000000',
    'comment' => 'возврат', 'is_recurrent' => '1', 'utm' => $utm, 'items' => $items,
];
emit('moneyback without paid (empty time)', http_build_query($back + ['hash' => sign($back, '')]),
    ['event' => 'moneyback', 'verified' => true, 'hash_rule' => 'empty_time']);
$backPaid = $back + ['paid' => '1700000900'];
emit('moneyback with paid documented', http_build_query($backPaid + ['hash' => sign($backPaid, $backPaid['paid'])]),
    ['event' => 'moneyback', 'verified' => true, 'hash_rule' => 'documented']);
emit('moneyback with paid, empty time', http_build_query($backPaid + ['hash' => sign($backPaid, '')]),
    ['event' => 'moneyback', 'verified' => true, 'hash_rule' => 'empty_time']);
emit('moneyback signed with created', http_build_query($back + ['hash' => sign($back, $back['created'])]),
    ['error' => 'bad_signature']);
emit('moneyback missing hash', http_build_query($back), ['error' => 'bad_signature']);

// 8.6 subscription events: no hash documented.
$sub = ['name' => 'Иван', 'email' => 'ivan@example.com', 'phone' => '+79001234567', 'city' => 'Москва',
    'id_group' => '12', 'ip' => '203.0.113.7', 'status' => '2', 'utm' => $utm];
emit('subscribe unconfirmed', http_build_query($sub), ['event' => 'subscribe', 'verified' => false, 'hash_rule' => null]);
emit('subscribe activated', http_build_query(['status' => '1'] + $sub), ['event' => 'subscribe', 'verified' => false, 'hash_rule' => null]);
$unsub = $sub;
unset($unsub['utm']);
$unsub['status'] = '0';
emit('unsubscribe', http_build_query($unsub), ['event' => 'unsubscribe', 'verified' => false, 'hash_rule' => null]);
emit('unsubscribe with a stray hash', http_build_query($unsub + ['hash' => 'abc']),
    ['event' => 'unsubscribe', 'verified' => false, 'hash_rule' => null]);

// Not notifications.
foreach ([
    'empty body' => '',
    'unknown status' => 'status=paid_order&id=1&email=a%40b.c&hash=' . md5('x'),
    'no marker field' => 'id=1&email=a%40b.c&created=1700000000&hash=' . md5('x'),
    'subscription status without id_group' => 'status=1&email=a%40b.c',
    'subscription status out of range' => 'status=3&id_group=1&email=a%40b.c',
    'status as array' => 'status[]=new_order&id=1&email=a%40b.c&hash=' . md5('x'),
    'order without id' => 'status=new_order&email=a%40b.c&created=1&hash=' . md5('x'),
    'id as array' => 'id[]=1&email=a%40b.c&paid=1&hash=' . md5('x'),
    'email as array' => 'id=1&email[x]=a&paid=1&hash=' . md5('x'),
] as $name => $body) {
    emit($name, $body, ['error' => 'invalid_argument']);
}
