//! Everything written once per method is generated from the one method
//! table (`METHODS`, src/api/spec.rs) into marked regions of the files
//! that need it, and this test fails when a region is out of date, like
//! the header's test. `make header` (JUSTCLICK_BLESS=1) rewrites them.
//!
//! Adding a method is one table entry (plus its sandbox handler, which
//! keeps its own dispatch: an emulator that read this table would test
//! nothing); the Rust method, the C export, the C++, PHP and Python methods
//! and the README row follow from it.

use std::path::Path;

use justclick::{Method, Param, Shape, Special, Ty, GOOD_FIELDS, METHODS, OPTION_NAMES};

/// The methods with a generic JSON-object signature (the four legacy ones
/// have hand-written typed signatures everywhere).
fn table_methods() -> impl Iterator<Item = &'static Method> {
    METHODS.iter().filter(|m| !m.legacy_typed)
}

/// Words wrapped into lines of at most `width` characters, each starting
/// with `prefix` (an empty line is `prefix` trimmed).
fn wrap(prefix: &str, text: &str, width: usize) -> String {
    let mut out = String::new();
    for para in text.split("\n\n") {
        if !out.is_empty() {
            out.push_str(prefix.trim_end());
            out.push('\n');
        }
        let mut line = String::from(prefix);
        for word in para.split_whitespace() {
            if line.len() > prefix.len() && line.len() + 1 + word.len() > width {
                out.push_str(&line);
                out.push('\n');
                line = String::from(prefix);
            }
            if line.len() > prefix.len() {
                line.push(' ');
            }
            line.push_str(word);
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

fn camel(name: &str) -> String {
    let mut out = String::new();
    let mut up = false;
    for c in name.chars() {
        if c == '_' {
            up = true;
        } else if up {
            out.extend(c.to_uppercase());
            up = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// What a parameter's value is, for a reader of the docs (nothing where
/// the name says it).
fn annotation(p: &Param) -> Option<String> {
    Some(match p.ty {
        Ty::IdList => "a list of names or ids; one is accepted".into(),
        Ty::IdOrList => "one name or id, or a list of them".into(),
        Ty::Goods => "a non-empty list of `{\"good_name\":...,\"good_sum\":...}`".into(),
        Ty::Utm => "an object of UTM tags".into(),
        Ty::DateDmy => "dd.mm.yyyy".into(),
        Ty::DateYmd => "YYYY-MM-DD".into(),
        Ty::UnixSeconds => "UNIX seconds".into(),
        Ty::TimerKill => "a boolean or UNIX seconds".into(),
        Ty::Enum(values) => format!(
            "one of {}",
            values
                .iter()
                .map(|v| format!("`{v}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        _ => return None,
    })
}

fn list_words(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// "Required: `a` (...) and `b`; optional `c`, `d`." and what no
/// parameters means.
fn params_sentence(m: &Method, null_name: &str) -> String {
    let show = |p: &Param| match annotation(p) {
        Some(a) => format!("`{}` ({a})", p.name),
        None => format!("`{}`", p.name),
    };
    let req: Vec<String> = m.params.iter().filter(|p| p.required).map(show).collect();
    let opt: Vec<String> = m.params.iter().filter(|p| !p.required).map(show).collect();
    let mut s = if m.params.is_empty() {
        format!("No parameters: `{null_name}` may be NULL.")
    } else if req.is_empty() {
        format!("Optional {}; `{null_name}` may be NULL.", opt.join(", "))
    } else if opt.is_empty() {
        format!("Required: {}.", list_words(&req))
    } else {
        format!(
            "Required: {}; optional {}.",
            list_words(&req),
            opt.join(", ")
        )
    };
    if m.good_fields {
        s.push_str(" Every UpdateGood field is accepted too.");
    }
    s
}

/// The documented special answer, as the C document shows it.
fn special_sentence(m: &Method) -> &'static str {
    match m.special {
        Special::None => "",
        Special::ExistingOrder => {
            "When the identical order exists already (the service's code 601), this is a success with `\"outcome\":\"already_exists\"` and `result.bill_id` the existing order. "
        }
        Special::LeadOutcome => {
            "A contact already in every group is a success with `\"outcome\":\"already_registered\"`; a code-0 text the library does not know is a success with `\"outcome\":\"unknown\"` (it proves no subscription; `error_text` holds the text); the service's \"invalid group\" answer (code 0) is `JC_ERR_API` with code 103. "
        }
        Special::DateRange => {
            "Any range is accepted: the library splits it into ranges the service serves and returns one list, in order and without duplicates (so this may send several requests, each bounded by the timeout). "
        }
    }
}

fn title(m: &Method) -> String {
    if m.deprecated {
        format!("{} (deprecated): {}", m.name, lower_first(m.purpose))
    } else {
        format!("{}: {}", m.name, lower_first(m.purpose))
    }
}

// ---------------------------------------------------------------------------
// The renderers, one per region.

fn rust_typed_methods() -> String {
    table_methods()
        .map(|m| format!("    {} => \"{}\",\n", m.snake, m.name))
        .collect()
}

fn c_exports() -> String {
    let mut out = String::new();
    for m in table_methods() {
        let doc = format!(
            "{}\n\n`params_json` is NULL or a JSON object of the documented parameter names. {} {}Parameters that break the method's rules (missing, unknown, wrong type or format) are `JC_ERR_INVALID_ARGUMENT` before any traffic. Blocks for at most the client's timeout. `*out_json` as for `jc_delete_order` (owned by the caller, free with `jc_string_free`). Thread-safe: `client` may be shared.",
            title(m),
            params_sentence(m, "params_json"),
            special_sentence(m)
        );
        out.push('\n');
        out.push_str(&wrap("/// ", &doc, 77));
        out.push_str(&format!(
            "#[no_mangle]
pub unsafe extern \"C\" fn jc_{s}(
    client: *const jc_client,
    params_json: *const c_char,
    out_json: *mut *mut c_char,
) -> jc_status {{
    ffi_fn!(jc_{s}(client: client, params_json: params) -> document(out_json) {{
        client.call_method(\"{n}\", &params_json)
    }})
}}
",
            s = m.snake,
            n = m.name
        ));
    }
    out
}

fn cpp_methods() -> String {
    let mut out = String::new();
    for m in table_methods() {
        let note = match (m.special, m.deprecated) {
            (Special::ExistingOrder | Special::LeadOutcome, _) => {
                "; see Reply for its documented special answer.".to_owned()
            }
            (Special::DateRange, _) => " (any date range).".to_owned(),
            (_, true) => " (deprecated).".to_owned(),
            _ => ".".to_owned(),
        };
        out.push_str(&format!("\n    /// {}{note}\n", m.name));
        if matches!(m.special, Special::ExistingOrder | Special::LeadOutcome) {
            out.push_str(&format!(
                "    Reply {s}(const Text &params_json = \"\") const {{\n        return with_outcome(jc_{s}, params_json);\n    }}\n",
                s = m.snake
            ));
        } else {
            out.push_str(&format!(
                "    std::string {s}(const Text &params_json = \"\") const {{\n        return detail::result_of(method(jc_{s}, params_json));\n    }}\n",
                s = m.snake
            ));
        }
    }
    out
}

fn python_methods() -> String {
    table_methods()
        .map(|m| format!("    (\"{}\", \"{}\"),\n", m.name, m.snake))
        .collect()
}

/// A parameter's type as PHPDoc writes it.
fn php_doc_type(ty: Ty) -> &'static str {
    match ty {
        Ty::Int => "int|string",
        Ty::Number => "int|float|string",
        Ty::Bool => "bool",
        Ty::UnixSeconds => "int",
        Ty::IdList | Ty::IdOrList => "string|list<string>",
        Ty::Goods => "list<array{good_name: string, good_sum?: int|float|string}>",
        Ty::Utm => "array<string, string>",
        Ty::TimerKill => "bool|int",
        Ty::Flag => "int|string|bool",
        _ => "string",
    }
}

/// A named argument's native PHP type (nullable: not given).
fn php_native_type(ty: Ty) -> &'static str {
    match ty {
        Ty::IdList | Ty::IdOrList => "array|string|null",
        Ty::Goods | Ty::Utm => "?array",
        Ty::Int => "int|string|null",
        Ty::Bool => "?bool",
        Ty::UnixSeconds => "?int",
        _ => "?string",
    }
}

/// What the PHP method returns: (native type, PHPDoc type and meaning).
fn php_return(m: &Method) -> (&'static str, &'static str) {
    match (m.special, m.result) {
        (Special::LeadOutcome, _) => (
            "array",
            "array{error_text: string, alreadyRegistered: bool, outcome: string|null} alreadyRegistered: the contact was in every group already (nothing changed); outcome: null for a subscription, 'already_registered', or 'unknown' when the service answered code 0 with a text the library does not know (error_text holds it; it proves no subscription: confirm with getLeadGroupStatuses)",
        ),
        (Special::ExistingOrder, _) => (
            "array",
            "array{bill_id: string, alreadyExisted: bool} alreadyExisted: the identical order existed already (the service's code 601) and bill_id is that order",
        ),
        (_, Shape::Status) => ("string", "string the service's confirmation (error_text)"),
        (_, Shape::Count) => ("int", "int the number of contacts"),
        (_, Shape::Order) => (
            "array",
            "array<string, mixed> the order: `id`, `email`, `pay_status`, `items` (each with `good_name`, `good_sum`, ...), partners and the payment link",
        ),
        (_, Shape::Orders) => ("array", "list<array<string, mixed>> the orders, in creation order"),
        (_, Shape::Groups) => (
            "array",
            "list<array{rass_name: string, rass_title: string, rass_id?: string}>",
        ),
        (_, Shape::LeadGroupStatuses) => (
            "array",
            "list<array{rass_name: string, rass_title: string, rass_status: string, subscription_time?: int|string}>",
        ),
        (_, Shape::Goods) => (
            "array",
            "list<array{good_name: string, good_title: string, good_id?: string, good_type?: int|string, good_sum?: int|float|string}>",
        ),
        (_, Shape::PartnerStats) => (
            "array",
            "array<string, mixed> `earned_total`, `topay_total`, `clicks_total`, `leads_total`, `sales_total` and the rest the service sends",
        ),
        (_, Shape::BillId) => ("array", "array{bill_id: string}"),
        (_, Shape::Bills) => ("array", "array<string, mixed>"),
    }
}

fn php_signature(m: &Method) -> String {
    let (ret, _) = php_return(m);
    if m.named.is_empty() {
        let default = if m.params.iter().any(|p| p.required) {
            ""
        } else {
            " = []"
        };
        return format!(
            "    public function {}(array $params{default}): {ret}",
            m.php_name()
        );
    }
    let mut s = format!(
        "    public function {}(\n        array $params = []",
        m.php_name()
    );
    for n in m.named {
        let p = m
            .param(n)
            .unwrap_or_else(|| panic!("{}: named `{n}` is no parameter", m.name));
        s.push_str(&format!(
            ",\n        {} ${} = null",
            php_native_type(p.ty),
            camel(n)
        ));
    }
    s.push_str(&format!("\n    ): {ret}"));
    s
}

fn php_interface() -> String {
    let mut out = String::new();
    for m in table_methods() {
        let (_, ret_doc) = php_return(m);
        let mut text = title(m);
        text.push_str("\n\n");
        if !m.named.is_empty() {
            let example: Vec<String> = m
                .named
                .iter()
                .take(2)
                .map(|n| format!("{}: ...", camel(n)))
                .collect();
            text.push_str(&format!(
                "Give the documented parameters as `$params`, as named arguments (`{}({})`), or both (a name given twice is refused). ",
                m.php_name(),
                example.join(", ")
            ));
        }
        text.push_str(
            &params_sentence(m, "$params")
                .replace("`$params` may be NULL", "`$params` may be empty"),
        );
        out.push_str("\n    /**\n");
        out.push_str(&wrap("     * ", &text, 78));
        out.push_str("     *\n");
        if m.named.is_empty() {
            if m.params.is_empty() {
                out.push_str("     * @param array<string, mixed> $params none are documented\n");
            } else {
                let fields: Vec<String> = m
                    .params
                    .iter()
                    .map(|p| {
                        format!(
                            "{}{}: {}",
                            p.name,
                            if p.required { "" } else { "?" },
                            php_doc_type(p.ty)
                        )
                    })
                    .collect();
                let shape = if m.good_fields {
                    "array<string, mixed>".to_owned()
                } else {
                    format!("array{{{}}}", fields.join(", "))
                };
                out.push_str(&format!("     * @param {shape} $params\n"));
            }
        } else {
            out.push_str("     * @param array<string, mixed> $params documented names => values\n");
            for n in m.named {
                let p = m.param(n).unwrap();
                out.push_str(&format!(
                    "     * @param {}|null ${} `{n}`\n",
                    php_doc_type(p.ty),
                    camel(n)
                ));
            }
        }
        out.push_str("     *\n");
        let ret = wrap("     *         ", ret_doc, 100);
        out.push_str(&ret.replacen("     *         ", "     * @return ", 1));
        out.push_str("     *\n");
        if m.params.iter().any(|p| p.required) {
            out.push_str("     * @throws InvalidArgumentException for missing, unknown or malformed parameters (no traffic)\n");
        } else if !m.params.is_empty() {
            out.push_str("     * @throws InvalidArgumentException for unknown or malformed parameters (no traffic)\n");
        } else {
            out.push_str("     * @throws InvalidArgumentException for any parameter (none are documented; no traffic)\n");
        }
        match (m.special, m.result) {
            (Special::LeadOutcome, _) => out.push_str(
                "     * @throws ApiException             e.g. 103 when no given group exists or may be subscribed to\n",
            ),
            (_, Shape::Count | Shape::BillId) => out.push_str(
                "     * @throws BadResponseException     when the answer lacks what the method returns\n",
            ),
            _ => {}
        }
        out.push_str("     * @throws ExceptionInterface       any other failure\n     */\n");
        out.push_str(&php_signature(m));
        out.push_str(";\n");
    }
    out
}

fn php_client() -> String {
    let mut out = String::new();
    for m in table_methods() {
        out.push_str("\n    /**\n     * {@inheritDoc}\n     */\n");
        out.push_str(&php_signature(m));
        out.push_str(if m.named.is_empty() {
            "\n    {\n"
        } else {
            " {\n"
        });
        if !m.named.is_empty() {
            out.push_str("        $params = self::named($params, [\n");
            for n in m.named {
                out.push_str(&format!("            '{n}' => ${},\n", camel(n)));
            }
            out.push_str("        ]);\n");
        }
        let s = m.snake;
        let n = m.name;
        out.push_str(&match (m.special, m.result) {
            (Special::LeadOutcome, _) => format!(
                "        $doc = $this->method('{s}', $params);
        return [
            'error_text' => $doc['error_text'],
            'alreadyRegistered' => ($doc['outcome'] ?? null) === 'already_registered',
            'outcome' => $doc['outcome'] ?? null,
        ];
"
            ),
            (Special::ExistingOrder, _) | (_, Shape::BillId) => format!(
                "        $doc = $this->method('{s}', $params);
        $billId = $doc['result']['bill_id'] ?? null;
        if (is_int($billId)) {{
            $billId = (string) $billId;
        }}
        if (!is_string($billId) || $billId === '') {{
            throw new BadResponseException('{n} returned no bill_id');
        }}
        return ['bill_id' => $billId, 'alreadyExisted' => ($doc['outcome'] ?? null) === 'already_exists'];
"
            ),
            (_, Shape::Status) => format!("        return $this->method('{s}', $params)['error_text'];\n"),
            (_, Shape::Count) => format!(
                "        $count = $this->method('{s}', $params)['result'] ?? null;
        if (is_string($count) && preg_match('/^[0-9]+$/D', $count) === 1) {{
            $count = (int) $count;
        }}
        if (!is_int($count)) {{
            throw new BadResponseException('{n} returned no number');
        }}
        return $count;
"
            ),
            _ => format!("        return self::arrayResult($this->method('{s}', $params), '{n}');\n"),
        });
        out.push_str("    }\n");
    }
    out
}

/// A PHP single-quoted string literal.
fn php_str(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
}

fn php_list(items: &[&str]) -> String {
    format!(
        "[{}]",
        items
            .iter()
            .map(|i| php_str(i))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// A parameter type as the pure-PHP engine's validator names it.
fn php_ty(ty: Ty) -> String {
    let name = match ty {
        Ty::Text => "text",
        Ty::Int => "int",
        Ty::Number => "number",
        Ty::Bool => "bool",
        Ty::Email => "email",
        Ty::Url => "url",
        Ty::DateDmy => "date_dmy",
        Ty::DateYmd => "date_ymd",
        Ty::UnixSeconds => "unix_seconds",
        Ty::Enum(values) => return format!("['enum', {}]", php_list(values)),
        Ty::IdList => "id_list",
        Ty::IdOrList => "id_or_list",
        Ty::Goods => "goods",
        Ty::Utm => "utm",
        Ty::TimerKill => "timer_kill",
        Ty::Domain => "domain",
        Ty::Flag => "flag",
    };
    php_str(name)
}

fn snake_of<T: std::fmt::Debug>(v: T) -> String {
    let mut out = String::new();
    for (i, c) in format!("{v:?}").chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push('_');
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// The UpdateGood fields with their types as src/good.rs declares them
/// (`Good::field_types`): name => 'string', 'int', 'float', 'bool' or
/// ['enum', [...]], in the order they are sent.
fn php_good_fields() -> String {
    let fields = justclick::Good::field_types();
    let names: Vec<&str> = fields.iter().map(|f| f.0).collect();
    assert_eq!(names, GOOD_FIELDS, "Good::field_types() is not GOOD_FIELDS");
    let mut out = String::from(
        "    /**\n     * The UpdateGood fields, in the order they are sent, with their types as\n     * src/good.rs declares them: 'string' (text or integer), 'int', 'float',\n     * 'bool' (0 or 1) or ['enum', [values]].\n     */\n    public const GOOD_FIELDS = [\n",
    );
    for (name, kind, values) in fields {
        let ty = match kind {
            "enum" => format!("['enum', {}]", php_list(&values)),
            "string" | "int" | "float" | "bool" => php_str(kind),
            other => panic!("field {name}: type {other:?} has no PHP name"),
        };
        out.push_str(&format!("        {} => {ty},\n", php_str(name)));
    }
    out.push_str("    ];\n\n");
    out
}

/// The method table as PHP data, for the pure-PHP engine: one source of
/// the rules for both engines.
fn php_table() -> String {
    let mut out = String::from("    /** Every method: documented name => its declaration. */\n    public const METHODS = [\n");
    for m in METHODS {
        out.push_str(&format!("        {} => [\n", php_str(m.name)));
        out.push_str(&format!("            'snake' => {},\n", php_str(m.snake)));
        out.push_str("            'params' => [\n");
        for p in m.params {
            out.push_str(&format!(
                "                {} => [{}, {}],\n",
                php_str(p.name),
                if p.required { "true" } else { "false" },
                php_ty(p.ty)
            ));
        }
        out.push_str("            ],\n");
        out.push_str(&format!(
            "            'good_fields' => {},\n",
            m.good_fields
        ));
        out.push_str(&format!(
            "            'result' => {},\n",
            php_str(&snake_of(m.result))
        ));
        out.push_str(&format!(
            "            'special' => {},\n",
            php_str(&snake_of(m.special))
        ));
        out.push_str(&format!("            'idempotent' => {},\n", m.idempotent));
        out.push_str(&format!("            'deprecated' => {},\n", m.deprecated));
        out.push_str(&format!(
            "            'legacy_typed' => {},\n",
            m.legacy_typed
        ));
        out.push_str(&format!("            'named' => {},\n", php_list(m.named)));
        out.push_str("        ],\n");
    }
    out.push_str("    ];\n\n");
    out.push_str(&php_good_fields());
    out.push_str(&format!(
        "    /** The keys of a `utm` object. */\n    public const UTM_KEYS = {};\n\n",
        php_list(justclick::api::UTM_KEYS)
    ));
    out.push_str(&format!(
        "    /** The keys of one CreateOrder line. */\n    public const GOODS_KEYS = {};\n\n",
        php_list(justclick::api::GOODS_KEYS)
    ));
    out.push_str(&format!(
        "    /** The client options (names as in jc_client_new). */\n    public const OPTION_NAMES = {};\n\n",
        php_list(OPTION_NAMES)
    ));
    // The pure engine's version and default user agent: the library's.
    out.push_str(&format!(
        "    /** The version of the library this table is from (Cargo.toml). */\n    public const VERSION = {};\n",
        php_str(env!("CARGO_PKG_VERSION"))
    ));
    out
}

// ---------------------------------------------------------------------------
// The regions.

struct Region {
    file: &'static str,
    begin: &'static str,
    end: &'static str,
    render: fn() -> String,
}

const REGIONS: &[Region] = &[
    Region {
        file: "src/api/mod.rs",
        begin: "    // generated:begin typed methods (tests/generated.rs; make header)\n",
        end: "    // generated:end",
        render: rust_typed_methods,
    },
    Region {
        file: "src/ffi/methods.rs",
        begin: "// generated:begin C exports (tests/generated.rs; make header)\n",
        end: "\n// generated:end",
        render: c_exports,
    },
    Region {
        file: "include/justclick.hpp",
        begin: "    // generated:begin methods (tests/generated.rs; make header)\n",
        end: "\n    // generated:end",
        render: cpp_methods,
    },
    Region {
        file: "bindings/php/src/JustClick/ClientInterface.php",
        begin: "    // generated:begin methods (tests/generated.rs; make header)\n",
        end: "\n    // generated:end",
        render: php_interface,
    },
    Region {
        file: "bindings/php/src/JustClick/Client.php",
        begin: "    // generated:begin methods (tests/generated.rs; make header)\n",
        end: "\n    // generated:end",
        render: php_client,
    },
    Region {
        file: "bindings/python/justclick/__init__.py",
        begin: "    # generated:begin methods (tests/generated.rs; make header)\n",
        end: "    # generated:end",
        render: python_methods,
    },
    Region {
        file: "bindings/php/src/JustClick/Pure/Table.php",
        begin: "    // generated:begin table (tests/generated.rs; make header)\n",
        end: "    // generated:end",
        render: php_table,
    },
    Region {
        file: "README.md",
        begin: "<!-- methods:begin (generated from src/api/spec.rs; make header) -->\n",
        end: "<!-- methods:end -->",
        render: justclick::api::readme_table,
    },
];

#[test]
fn every_generated_region_matches_the_method_table() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let bless = std::env::var_os("JUSTCLICK_BLESS").is_some();
    let mut stale = Vec::new();
    for r in REGIONS {
        let path = root.join(r.file);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", r.file));
        let start = text
            .find(r.begin)
            .unwrap_or_else(|| panic!("{} has no marker {:?}", r.file, r.begin.trim()))
            + r.begin.len();
        let end = start
            + text[start..]
                .find(r.end)
                .unwrap_or_else(|| panic!("{} has no marker {:?}", r.file, r.end.trim()));
        let fresh = (r.render)();
        if text[start..end] != fresh {
            if bless {
                std::fs::write(&path, format!("{}{fresh}{}", &text[..start], &text[end..]))
                    .unwrap();
            } else {
                stale.push(r.file);
            }
        }
    }
    assert!(
        stale.is_empty(),
        "out of date with the method table (src/api/spec.rs): {}; run `make header` and commit",
        stale.join(", ")
    );
}

/// Each table method appears where the regions put it (a renderer that
/// dropped one would otherwise pass its own drift check).
#[test]
fn every_table_method_is_in_every_language() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let read = |f: &str| std::fs::read_to_string(root.join(f)).unwrap();
    let (c, hpp, php, iface, py, rs, readme) = (
        read("src/ffi/methods.rs"),
        read("include/justclick.hpp"),
        read("bindings/php/src/JustClick/Client.php"),
        read("bindings/php/src/JustClick/ClientInterface.php"),
        read("bindings/python/justclick/__init__.py"),
        read("src/api/mod.rs"),
        read("README.md"),
    );
    for m in METHODS {
        assert!(
            readme.contains(&format!("`jc_{}`", m.snake)),
            "README: {}",
            m.name
        );
        if m.legacy_typed {
            continue;
        }
        assert!(
            c.contains(&format!("pub unsafe extern \"C\" fn jc_{}(", m.snake)),
            "C: {}",
            m.name
        );
        assert!(
            c.contains(&format!("client.call_method(\"{}\"", m.name)),
            "C: {}",
            m.name
        );
        assert!(
            hpp.contains(&format!(" {}(const Text &params_json", m.snake)),
            "C++: {}",
            m.name
        );
        assert!(
            php.contains(&format!("public function {}(", m.php_name())),
            "PHP: {}",
            m.name
        );
        assert!(
            iface.contains(&format!("public function {}(", m.php_name())),
            "PHP: {}",
            m.name
        );
        assert!(
            py.contains(&format!("(\"{}\", \"{}\")", m.name, m.snake)),
            "Python: {}",
            m.name
        );
        assert!(
            rs.contains(&format!("{} => \"{}\"", m.snake, m.name)),
            "Rust: {}",
            m.name
        );
    }
}

#[test]
fn wrap_keeps_words_and_width() {
    let w = wrap("/// ", "one two three four five six seven\n\nnext", 16);
    assert_eq!(
        w,
        "/// one two\n/// three four\n/// five six\n/// seven\n///\n/// next\n"
    );
}
