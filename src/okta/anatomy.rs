//! The anatomy of a provisioning error message, read the way an admin reads one: Okta's wrapper (the
//! operation, its user and app), the HTTP status the app answered (a word or a code), the app's own reason,
//! and the JSON bodies inside it (SCIM error objects, apps' own error objects), nested or not. No I/O and no
//! rules: only what the words are. The rules stage decides what they mean (`rules::diagnose`).

use regex::{Regex, RegexSet};
use serde_json::Value;
use std::sync::LazyLock;

/// The provisioning operation Okta's wrapper names, most specific first where a message names several.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Operation {
    /// Okta signing in to the app's API (`Error authenticating: …`).
    Authenticate,
    GroupPush,
    Deactivate,
    Reactivate,
    Password,
    Import,
    /// A profile push, or any other update of an existing account.
    Update,
    /// Okta's look-up before it creates (`Error while verifying if user … exists`).
    Lookup,
    Create,
    /// An assignment, without a more specific word.
    Provision,
}

impl Operation {
    /// The name rule files and reports use.
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Authenticate => "authenticate",
            Operation::GroupPush => "group-push",
            Operation::Deactivate => "deactivate",
            Operation::Reactivate => "reactivate",
            Operation::Password => "password",
            Operation::Import => "import",
            Operation::Update => "update",
            Operation::Lookup => "lookup",
            Operation::Create => "create",
            Operation::Provision => "provision",
        }
    }

    /// Every operation, in the order the words for them are tried.
    pub const ALL: [Operation; 10] = [
        Operation::Authenticate,
        Operation::GroupPush,
        Operation::Deactivate,
        Operation::Reactivate,
        Operation::Password,
        Operation::Import,
        Operation::Update,
        Operation::Lookup,
        Operation::Create,
        Operation::Provision,
    ];

    /// The operation a name in a rule file stands for.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == name)
    }
}

/// The words that name each operation, in `Operation::ALL`'s order. From the wrappers Okta's messages show
/// (okta-formats.md §1, the Tasks sentences in the corpus) and the System Log's operation names.
const OPERATION_WORDS: [&str; 10] = [
    r"\berror (?:while )?authenticating\b|\b(?:validat|verify)(?:e|ing) (?:your |the |api |admin )*credentials\b|\btest(?:ing)? (?:the )?(?:api )?(?:connection|credentials)\b",
    r"\bgroup ?push\b|\bpush(?:ing)? (?:the )?groups?\b|\buser ?group\b|\bgroup membership\b|\b(?:creat|updat|delet|renam|link)(?:e|es|ing) (?:the |app )?group\b|\bapp group\b|\bpush group",
    r"\bdeactivat(?:e|es|ing|ion)\b|\bdeprovision(?:ing)?\b|\bsuspend(?:ing)? (?:the )?user\b|\bdisabl(?:e|ing) (?:the )?user\b",
    r"\breactivat(?:e|es|ing|ion)\b",
    r"\bpush(?:ing)? (?:the )?password\b|\bpassword (?:push|sync|update)\b|\bsync(?:ing)? (?:the )?password\b",
    r"\bimport(?:ing)? (?:the )?(?:users?|groups?|profiles?)\b|\buser import\b",
    r"\bprofile push\b|\bpush(?:ing)? (?:the )?(?:user )?profile\b|\bpushuserprofile\b|\bupdat(?:e|es|ing) (?:the )?user\b|\bupdateuser\b|\bpush(?:ing)? (?:the )?(?:user )?(?:profile )?updates?\b|\bpatch(?:ing)? (?:the )?user\b|\bsync(?:ing)? user\b",
    r"\bverify(?:ing)? (?:if|whether) (?:the )?user\b|\b(?:search(?:ing)?|look(?:ing)? up|find(?:ing)?) (?:for )?(?:the )?user\b|\bverify_exists\b",
    r"\bcreat(?:e|es|ing) (?:the |a |new )?user\b|\bcreatenewuser\b|\bcreateuser\b|\bpush(?:ing)? new user\b",
    r"\bautomatic provisioning of\b|\bprovision(?:ing)? (?:of )?(?:the )?user\b",
];

static OPERATIONS: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new(OPERATION_WORDS.iter().map(|w| format!("(?i){w}"))).expect("the operation words are valid")
});

/// An HTTP status as the message gives it: its code, and the words that gave it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status {
    pub code: u16,
    pub text: String,
}

/// A SCIM error object (RFC 7644 §3.12), as far as the app filled it in.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScimError {
    pub status: Option<u16>,
    pub scim_type: Option<String>,
    pub detail: Option<String>,
}

/// A message taken apart. Every part is optional: a message is whatever an admin pasted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Anatomy {
    pub operation: Option<Operation>,
    pub user: Option<String>,
    pub app: Option<String>,
    /// The innermost status the message gives (a JSON body's before the text's).
    pub status: Option<Status>,
    /// The app's reason: what follows `Errors reported by remote server:` (or `by the connector:`), else
    /// what is left once Okta's wrapper and the status are taken off. JSON bodies stay in it.
    pub reason: Option<String>,
    /// The innermost SCIM error object.
    pub scim: Option<ScimError>,
    /// The texts of the JSON bodies (`detail`, `message`, `error_description`, …), innermost first.
    pub details: Vec<String>,
    /// Error codes the app gave (`LICENSE_LIMIT_EXCEEDED`, `username_not_allowed`, `E0000047`), innermost
    /// first.
    pub codes: Vec<String>,
    /// The app's identifiers written as words (`error.user.not_in_org` → `error user not in org`,
    /// `UserAlreadyExists` → `user already exists`): an app's code says what it means in words a rule knows.
    pub code_words: Option<String>,
    /// The operation Okta's wrapper names, read from the wrapper alone (the words before the app's reason):
    /// an app's reason that speaks of a group is no group push.
    pub wrapper_operation: Option<Operation>,
    /// Okta's wrapper quoted an answer without a message (`Error authenticating: null`): Okta got no answer
    /// it could show, which is no app's reason.
    pub no_answer: bool,
    /// The message says in so many words that something failed or was refused (`cannot`, `not allowed`,
    /// `already exists`, `invalid`, `exceeded` …): what an app's error says, whatever the app.
    pub says_it_failed: bool,
}

/// The words an error is said in, whatever the app: a refusal, an impossibility, a failure, a missing or
/// wrong thing. A line of a pasted report that says none of them and has no status, code or error body is
/// no error.
static ERROR_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)\b(?:errors?|fail(?:s|ed|ure)?|invalid|cannot|can't|could ?not|couldn't|unable|denied|refused|",
        r"rejected|forbidden|unauthori[sz]ed|not (?:allowed|permitted|supported|implemented|found|authori[sz]ed|",
        r"available|enabled|valid|unique)|does(?: not|n't) exist|no (?:such|longer)|already|exceed(?:s|ed)?|",
        r"expired|missing|required|conflicts?|timed? ?out|too (?:many|long)|limit (?:reached|exceeded)|",
        r"violat(?:es|ed|ion)|unsupported|unknown|illegal|exception|disabled|revoked|insufficient)\b",
    ))
    .expect("valid")
});

/// The same words in the other languages apps answer in (the corpus holds Japanese, Chinese, Korean, German,
/// French, Spanish, Portuguese, Italian, Dutch, Russian, Polish, Turkish, Czech and Swedish messages). Written
/// without word boundaries where the script has no spaces, with Unicode ones elsewhere.
static ERROR_WORDS_ABROAD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"失敗|失败|エラー|できません|できませんでした|出来ません|無効|見つかりません|存在しません|すでに|既に|上限|超過|超え|拒否|",
        r"错误|錯誤|无效|無效|不能|无法|無法|超过|不存在|已存在|不足|禁止|拒绝|拒絕|过期|過期|已禁用|已停用|",
        r"실패|오류|없습니다|수 없|유효하지|초과|부족|만료|이미|",
        r"(?i)\b(?:fehler|fehlgeschlagen|ungültig\w*|kann nicht|konnte nicht|existiert nicht|bereits|abgelaufen|",
        r"überschritten|verweigert|erreur|échec|échoué|impossible|invalide|introuvable|n'existe pas|déjà|expiré|",
        r"refusé|interdit|falló|fallido|no se puede|no se pudo|inválid[oa]s?|no válid[oa]s?|no existe|ya existe|",
        r"caducad[oa]|expirad[oa]|expirou|denegad[oa]|deaktiviert|desactivad[oa]|desativad[oa]|erro|falha|não foi possível|não é possível|não existe|já existe|",
        r"errore|non riuscit[oa]|impossibile|non valid[oa]|non esiste|esiste già|scadut[oa]|mislukt|fout|ongeldig|",
        r"kan niet|bestaat niet|bestaat al|verlopen|geweigerd|ошибка|не удалось|невозможно|недействител\w*|",
        r"неверн\w*|не найден\w*|не существует|уже существует|истек\w*|превышен\w*|запрещен\w*|nie istnieje|",
        r"nie możesz|błąd|hata|silemezsiniz|vypršel\w*|neplatn\w*|löpt ut|ogiltig\w*)\b",
    ))
    .expect("valid")
});

/// An error word counted as none, in English (`0 errors`, `no failures`, `without errors`, `errors: 0`) and
/// in the other languages (`0 Fehler`, `sans erreur`, `エラーはありません`, `오류 0건`); a success said with a
/// word the lists above count (`desactivado correctamente`, `erfolgreich deaktiviert`); a cap or an expiry date
/// shown rather than reached. Stripped before either list of error words is tried.
static NONE_FAILED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)\b(?:0|no|zero|without(?: any)?) (?:errors?|failures?|failed)\b",
        r"|\b(?:errors?|failures?|failed)\s*[:=]\s*0\b(?:\s*[,;)]|\s*$)",
        r"|\b(?:0|null|keine?|ohne|aucune?|sans|nessun[oa]?|senza|sin|sem|nenhum|geen|zonder|bez|brak|inga|utan)\s+",
        r"(?:fehlern?|erreurs?|errori|errore|errores|erros?|fouten?|fout|chyb\w*|błęd\w*|fel|ошиб\w*)\b",
        r"|\b(?:fehler|erreurs?|errori|errores|erros?|fouten|hata|ошибок)\s*[:=]\s*0\b",
        r"|\bhata yok\b|\bошибок нет\b|\bбез ошибок\b",
        r"|エラー(?:は)?(?:ありません|なし)|エラー\s*[:：]\s*0|0\s*(?:件の)?エラー|0\s*个错误|0\s*個錯誤|没有错误|沒有錯誤|无错误|無錯誤",
        r"|오류\s*0\s*건|오류 없음|오류가 없습니다",
        r"|\b(?:desactivad[oa]|desativad[oa]|deaktiviert)\s+(?:correctamente|con éxito|exitosamente|com sucesso|erfolgreich)\b",
        r"|\berfolgreich deaktiviert\b",
        // A cap or an expiry shown, not reached: `ライセンス上限: 500`, `만료 알림`, `만료 예정`.
        r"|上限\s*[:：]|만료\s*(?:알림|예정)",
    ))
    .expect("valid")
});

/// An error word that says the app gave no reason, not that nothing failed.
static NO_REASON_GIVEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\bno (?:errors?|failures?) (?:details?|messages?|body|code|description|returned|reported|given)\b")
        .expect("valid")
});

/// `Errors reported by remote server:` / `by the connector :` (with the spacing and article variations the
/// corpus shows).
static REPORTED_BY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\berrors? reported by (?:the )?(?:remote server|connector|server|application)\s*:?\s*")
        .expect("valid")
});

/// The Tasks sentences Okta writes (okta-formats.md §1), and the forms of them the corpus shows.
static TASKS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(
        r"(?i)\bautomatic (?:{}) of (?:user )?(.*?) ?to app (.+?) failed ?: ?",
        super::tasks::OPERATIONS
    ))
    .expect("valid")
});

/// Okta's own wrappers inside the reason, taken off one after another.
static WRAPPER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)^\W{0,3}(?:",
        r"unable to update group push mapping target (?:app )?group [^:]*:",
        r"|error while [a-z]+ing\b[^:]*:",
        r"|errors? during execution\s*:",
        r"|error executing [a-z_]+\s*:",
        r"|error (?:authenticating|occurred)\s*:",
        r"|(?:push new user to|sync user in|update user in|deactivate user in|push user profile to) (?:the )?external application\s*(?:failure)?\s*:?",
        r"|failure\s*:",
        r"|error\s*:",
        r")\s*",
    ))
    .expect("valid")
});

/// HTTP reason phrases (RFC 9110 §15) and the codes they stand for. Longest first where one holds another.
const PHRASES: [(&str, u16); 22] = [
    ("bad request", 400),
    ("unauthorized", 401),
    ("unauthorised", 401),
    ("payment required", 402),
    ("forbidden", 403),
    ("not found", 404),
    ("method not allowed", 405),
    ("request timeout", 408),
    ("request timed out", 408),
    ("conflict", 409),
    ("gone", 410),
    ("precondition failed", 412),
    ("payload too large", 413),
    ("unsupported media type", 415),
    ("unprocessable entity", 422),
    ("unprocessable content", 422),
    ("too many requests", 429),
    ("internal server error", 500),
    ("not implemented", 501),
    ("bad gateway", 502),
    ("service unavailable", 503),
    ("gateway timeout", 504),
];

/// The reason phrase of a status code, as reports write it (`409` → `Conflict`).
pub fn phrase_of(code: u16) -> Option<&'static str> {
    const TITLES: [(u16, &str); 20] = [
        (400, "Bad Request"),
        (401, "Unauthorized"),
        (402, "Payment Required"),
        (403, "Forbidden"),
        (404, "Not Found"),
        (405, "Method Not Allowed"),
        (408, "Request Timeout"),
        (409, "Conflict"),
        (410, "Gone"),
        (412, "Precondition Failed"),
        (413, "Payload Too Large"),
        (415, "Unsupported Media Type"),
        (422, "Unprocessable Entity"),
        (429, "Too Many Requests"),
        (500, "Internal Server Error"),
        (501, "Not Implemented"),
        (502, "Bad Gateway"),
        (503, "Service Unavailable"),
        (504, "Gateway Timeout"),
        (507, "Insufficient Storage"),
    ];
    TITLES.iter().find(|(c, _)| *c == code).map(|(_, t)| *t)
}

/// A status phrase standing as Okta writes it: the status and then `.`/`:`/end, or `HTTP <code> <phrase>`.
/// `not found` and `conflict` are common words: they count only standing alone like this, never inside a
/// sentence (`Matching user not found.` is the app's reason, not a 404).
static PHRASE: LazyLock<Regex> = LazyLock::new(|| {
    let words: Vec<&str> = PHRASES.iter().map(|(w, _)| *w).collect();
    let alt = words.join("|").replace(' ', r"[ _-]?");
    Regex::new(&format!(
        r"(?i)(?:^|[:.;,(\[]\s*|\b(?:http|status|error|response|received)\W{{0,3}}(?:[45]\d\d\W{{1,3}})?)({alt})\s*(?:$|[.:;,)\]]|-\s|\(\d{{3}}\))"
    ))
    .expect("valid")
});

/// A status code with the word around it that says it is one.
static CODE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)(?:\b(?:http(?:/\d(?:\.\d)?)?|status(?: ?code)?|statuscode|httpstatuscode|code|error|response|received error)\W{0,3}([45]\d\d)\b",
        r"|(?:^|[:(\[]\s*)([45]\d\d)\b(?:\s*[:.)\]-]|\s+[a-z])",
        r"|\b([45]\d\d) (?:bad request|unauthori[sz]ed|forbidden|not found|conflict|unprocessable|too many|internal server|bad gateway|service unavailable|gateway time|method not allowed|not implemented|payment required|precondition|gone)\b)",
    ))
    .expect("valid")
});

/// An error code standing in the text: an upper-case identifier with an underscore (`LICENSE_LIMIT_EXCEEDED`,
/// `INVALID_SESSION_ID`), an Okta `E000…` code, or an Entra `AADSTS…` code.
static ERROR_CODE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:[A-Z][A-Z0-9]+(?:_[A-Z0-9]+)+|E0{3}\d{3}|AADSTS\d{5,6})\b").expect("valid")
});

impl Anatomy {
    /// Takes a message apart.
    pub fn parse(message: &str) -> Self {
        let whole = message.trim();
        let mut a = Anatomy::default();
        // The bodies are read, then cut out: the words around them are Okta's and the app's text.
        let (spans, body_status) = bodies(whole, &mut a);
        let text = &cut(whole, &spans);
        let mut rest = text.as_str();
        if let Some(c) = TASKS.captures(text) {
            let user = trim_quotes(c.get(1).map_or("", |m| m.as_str()));
            if !user.is_empty() && !user.eq_ignore_ascii_case("user") {
                a.user = Some(user.to_owned());
            }
            a.app = Some(trim_quotes(&c[2]).to_owned()).filter(|s| !s.is_empty());
            rest = c.get(0).map_or(rest, |m| &text[m.end()..]);
        }
        a.status = a.scim_status().or(body_status).or_else(|| text_status(rest));
        a.reason = reason(rest);
        // The wrapper: what stands before the app's reason (all of it when the app said nothing).
        let wrapper = match &a.reason {
            Some(r) => rest.rfind(r.as_str()).map_or(text.as_str(), |at| {
                let end = text.len() - rest.len() + at;
                text.get(..end).unwrap_or(text)
            }),
            None => text.as_str(),
        };
        a.wrapper_operation = operation(wrapper);
        // The wrapper names the operation; the whole message only when the wrapper does not (a bare reason).
        a.operation = a.wrapper_operation.or_else(|| operation(whole));
        // `null` as the app's reason is Okta quoting an answer that had no message; alone, it is no message
        // at all (what `jq` prints for a missing field). Neither is an app's reason.
        if a.reason
            .as_deref()
            .is_some_and(|r| r.eq_ignore_ascii_case("null"))
        {
            a.reason = None;
            a.no_answer = a.operation.is_some();
        }
        for m in ERROR_CODE.find_iter(whole) {
            if !a.codes.iter().any(|c| c == m.as_str()) {
                a.codes.push(m.as_str().to_owned());
            }
        }
        a.code_words = code_words(whole);
        // Long text (a document, a log's dump) is not one error said in words.
        // A count of none (`0 errors`, `no failures`, `errors: 0`) says nothing failed; "no error details"
        // or "no errors returned" says only that the app gave no reason.
        a.says_it_failed = whole.len() <= 600 && {
            let counted = NONE_FAILED.replace_all(whole, " ");
            ERROR_WORDS.is_match(&counted)
                || ERROR_WORDS_ABROAD.is_match(&counted)
                || ERROR_WORDS.is_match(whole) && NO_REASON_GIVEN.is_match(whole)
        };
        a
    }

    /// The status a JSON body gave, before any the text gives.
    fn scim_status(&self) -> Option<Status> {
        let code = self.scim.as_ref().and_then(|s| s.status)?;
        Some(Status {
            code,
            text: format!("\"status\": \"{code}\""),
        })
    }

    /// The texts a rule is tried on, innermost first: the bodies' texts, then the app's reason.
    pub fn layers(&self) -> impl Iterator<Item = &str> {
        self.details
            .iter()
            .map(String::as_str)
            .chain(self.reason.as_deref())
    }

    /// The message plainly reports an error, whether or not a rule knows it: an HTTP status with a reason,
    /// a SCIM error object or an app's error body, or an app's error code.
    pub fn plainly_an_error(&self) -> bool {
        self.says_it_failed
            || self.scim.is_some()
            || !self.details.is_empty()
            || (self.status.is_some() && (self.reason.is_some() || self.operation.is_some()))
            || self
                .codes
                .iter()
                .any(|c| c.contains('_') || c.starts_with("AADSTS") || c.starts_with("E000"))
    }
}

/// An identifier of two or more words joined by `_`, `.` or `:` (`not_in_org`, `error.user.domain`), or
/// written in camel case (`MutuallyExclusiveViolation`).
static IDENTIFIER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b[A-Za-z][A-Za-z0-9]*(?:[._:][A-Za-z][A-Za-z0-9]*)+\b|\b[A-Z]?[a-z]+(?:[A-Z][a-z]+)+\b")
        .expect("valid")
});

/// A URN (`urn:ietf:params:scim:schemas:core:2.0:User`) names a schema, and a URL's host and path name a
/// place, not what went wrong: their parts are no words of the app's, or every SCIM error that quotes its
/// schema or its endpoint would speak of "scim", "schemas" and "users".
static NOT_WORDS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\burn:[a-z0-9][a-z0-9:._-]*|\b(?:https?://|www\.)\S*").expect("valid"));

/// `text` with its URNs and URLs blanked out.
pub(crate) fn without_names_of_places(text: &str) -> String {
    NOT_WORDS.replace_all(text, " ").into_owned()
}

/// Every identifier of `text` written as words, `; ` between them; none if there are none.
fn code_words(text: &str) -> Option<String> {
    let text = without_names_of_places(text);
    let mut out: Vec<String> = Vec::new();
    for m in IDENTIFIER.find_iter(&text).take(32) {
        let id = m.as_str();
        let mut words = String::new();
        let mut prev: Option<char> = None;
        for c in id.chars() {
            let hump = c.is_ascii_uppercase() && prev.is_some_and(|p| p.is_ascii_lowercase());
            if matches!(c, '_' | '.' | ':') || hump {
                words.push(' ');
            }
            if !matches!(c, '_' | '.' | ':') {
                words.push(c.to_ascii_lowercase());
            }
            prev = Some(c);
        }
        if !out.contains(&words) {
            out.push(words);
        }
    }
    (!out.is_empty()).then(|| out.join("; "))
}

/// `text` with the byte ranges in `spans` blanked out.
fn cut(text: &str, spans: &[(usize, usize)]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for &(from, to) in spans {
        if from < at || to > text.len() {
            continue;
        }
        out.push_str(&text[at..from]);
        out.push(' ');
        at = to;
    }
    out.push_str(&text[at..]);
    out
}

fn trim_quotes(s: &str) -> &str {
    const QUOTES: &[char] = &['"', '\'', '\u{201c}', '\u{201d}', '\u{2018}', '\u{2019}', '`'];
    s.trim().trim_matches(QUOTES).trim()
}

/// The most specific operation the message names.
fn operation(text: &str) -> Option<Operation> {
    OPERATIONS.matches(text).iter().next().map(|i| Operation::ALL[i])
}

/// Where in `message` the words that name `operation` stand (`Error authenticating`, `creating user group`):
/// the evidence when the operation alone decides.
pub fn operation_words(message: &str, operation: Operation) -> Option<std::ops::Range<usize>> {
    static EACH: LazyLock<Vec<Regex>> = LazyLock::new(|| {
        OPERATION_WORDS
            .iter()
            .map(|w| Regex::new(&format!("(?i){w}")).expect("the operation words are valid"))
            .collect()
    });
    let at = Operation::ALL.iter().position(|o| *o == operation)?;
    EACH.get(at)?.find(message).map(|m| m.range())
}

/// The app's reason: after the last `Errors reported by …:`, else what is left of `rest` once Okta's wrappers
/// and a leading status are taken off.
fn reason(rest: &str) -> Option<String> {
    // After Okta's `Errors reported by remote server:` the app's own text starts; a leading `Error:` or
    // status of its own (`403 Forbidden: Invalid application key`) is taken off as it is from a bare
    // reason, so that the same answer reads the same inside Okta's sentence and without it.
    let mut r = match REPORTED_BY.find_iter(rest).last() {
        Some(m) => &rest[m.end()..],
        None => rest,
    };
    while let Some(m) = WRAPPER.find(r) {
        if m.end() == 0 {
            break;
        }
        r = &r[m.end()..];
    }
    let mut r = strip_status(r);
    // `. Error Code: null` is Okta's trailer when the app gave no code, and `The connector configuration
    // could not be tested. Make sure that the URL, …` Okta's own advice after a failed test of the
    // integration: neither is the app's reason.
    let lower = r.to_ascii_lowercase();
    for trailer in [
        "error code: null",
        "the connector configuration could not be tested",
    ] {
        if let Some(at) = lower.rfind(trailer) {
            r = r.get(..at).unwrap_or(r);
        }
    }
    let r = trim_quotes(
        r.trim()
            .trim_end_matches(['.', ' '])
            .trim_start_matches([':', '.', ' ']),
    );
    (!r.is_empty() && r.chars().any(char::is_alphanumeric)).then(|| r.to_owned())
}

/// Takes a leading status (`Bad Request.`, `409 Conflict:`, `HTTP 403 Forbidden`) off the reason.
fn strip_status(r: &str) -> &str {
    static LEADING: LazyLock<Regex> = LazyLock::new(|| {
        let words: Vec<&str> = PHRASES.iter().map(|(w, _)| *w).collect();
        Regex::new(&format!(
            r"(?i)^\W{{0,3}}(?:http\s*)?(?:[45]\d\d\b\W{{0,3}})?(?:{})?\s*(?:[.:;,-]\s*|$)",
            words.join("|")
        ))
        .expect("valid")
    });
    match LEADING.find(r) {
        Some(m) if m.end() > 0 => &r[m.end()..],
        _ => r,
    }
}

/// The status the text gives, innermost (last) first: a code with its word, else a standing phrase.
fn text_status(text: &str) -> Option<Status> {
    let code = CODE.captures_iter(text).last().and_then(|c| {
        let m = c.get(1).or_else(|| c.get(2)).or_else(|| c.get(3))?;
        let code: u16 = m.as_str().parse().ok()?;
        Some((
            m.start(),
            Status {
                code,
                text: c.get(0).map_or("", |m| m.as_str()).trim().to_owned(),
            },
        ))
    });
    let phrase = PHRASE.captures_iter(text).last().and_then(|c| {
        let m = c.get(1)?;
        let said = m.as_str().to_ascii_lowercase().replace(['_', '-'], " ");
        let code = PHRASES
            .iter()
            .find(|(w, _)| w.replace(' ', "") == said.replace(' ', ""))
            .map(|(_, c)| *c)?;
        Some((
            m.start(),
            Status {
                code,
                text: m.as_str().to_owned(),
            },
        ))
    });
    match (code, phrase) {
        (Some(a), Some(b)) => Some(if a.0 >= b.0 { a.1 } else { b.1 }),
        (a, b) => a.or(b).map(|(_, s)| s),
    }
}

/// The deepest a body is opened, and the most bodies read from one message: a message is short, and a
/// crafted one must not make this slow.
const MAX_DEPTH: usize = 8;
const MAX_BODIES: usize = 16;

/// Reads every JSON body in `text` (and JSON inside their strings) into `a`, innermost first; where the
/// bodies stand in `text`, and the innermost status one of them gave as a number.
fn bodies(text: &str, a: &mut Anatomy) -> (Vec<(usize, usize)>, Option<Status>) {
    let mut found = Scan {
        found: Vec::new(),
        budget: scan_budget(text.len()),
    };
    let spans = scan(text, 0, &mut found);
    let mut found = found.found;
    let mut status = None;
    // Innermost first; within one depth, in the order written.
    found.sort_by_key(|f| std::cmp::Reverse(f.0));
    for (_, f) in found {
        match f {
            Found::Scim(s) => {
                if a.scim.is_none() {
                    a.scim = Some(s);
                }
            }
            Found::Text(t) => {
                if !a.details.contains(&t) {
                    a.details.push(t);
                }
            }
            Found::Code(c) => {
                if !a.codes.contains(&c) {
                    a.codes.push(c);
                }
            }
            Found::Status(code) => {
                if status.is_none() {
                    status = Some(Status {
                        code,
                        text: code.to_string(),
                    });
                }
            }
        }
    }
    (spans, status)
}

enum Found {
    Scim(ScimError),
    Text(String),
    Code(String),
    Status(u16),
}

/// What the scan of one message found (each at its depth), and how many more bytes it may hand the JSON
/// parser (`scan_budget`).
struct Scan {
    found: Vec<(usize, Found)>,
    budget: usize,
}

impl Scan {
    fn push(&mut self, found: (usize, Found)) {
        self.found.push(found);
    }

    /// Counts `bytes` handed to the parser against the budget.
    fn spend(&mut self, bytes: usize) {
        self.budget = self.budget.saturating_sub(bytes);
    }

    /// Whether the budget is spent, and the scan must stop.
    fn spent(&self) -> bool {
        self.budget == 0
    }
}

/// Finds the JSON objects in `text` at `depth` and reads them; where they stand.
fn scan(text: &str, depth: usize, found: &mut Scan) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    if depth >= MAX_DEPTH {
        return spans;
    }
    let mut from = 0;
    let mut read = 0;
    while let Some(i) = text[from..].find(['{', '[']).map(|i| i + from) {
        let mut values = serde_json::Deserializer::from_str(&text[i..]).into_iter::<Value>();
        match values.next() {
            Some(Ok(v)) => {
                found.spend(values.byte_offset());
                if v.is_object() || v.as_array().is_some_and(|a| a.iter().any(Value::is_object)) {
                    let end = i + values.byte_offset();
                    value(&v, depth + 1, found);
                    spans.push((i, end));
                    read += 1;
                    from = end.max(i + 1);
                } else {
                    from = i + 1;
                }
            }
            Some(Err(e)) => {
                found.spend(parsed_before(&text[i..], &e));
                from = i + 1;
            }
            None => from = i + 1,
        }
        if read >= MAX_BODIES || from >= text.len() || found.spent() {
            break;
        }
    }
    spans
}

/// How many bytes the scan of a message may hand the JSON parser: a few times the message. A try at a
/// bracket that opens no body reads on until the JSON breaks, up to 128 levels deep, so each bracket of a
/// long run never closed (a cut body, a crafted line) would be read some hundred times over; past the budget
/// the rest of the text is not scanned.
fn scan_budget(len: usize) -> usize {
    len.saturating_mul(8).saturating_add(64 * 1024)
}

/// How far into `text` the parser read before it gave up with `e` (its line and column are one-based,
/// the column in bytes).
fn parsed_before(text: &str, e: &serde_json::Error) -> usize {
    if e.is_eof() {
        return text.len();
    }
    let lines: usize = text
        .split('\n')
        .take(e.line().saturating_sub(1))
        .map(|l| l.len() + 1)
        .sum();
    (lines + e.column()).min(text.len())
}

/// The keys whose text is the app's reason, and those that hold a code.
const TEXT_KEYS: [&str; 14] = [
    "detail",
    "details",
    "message",
    "error_description",
    "errordescription",
    "description",
    "errorsummary",
    "error_message",
    "errormessage",
    "title",
    "reason",
    "msg",
    "error",
    "localizedmessage",
];
const STATUS_KEYS: [&str; 5] = ["status", "code", "statuscode", "status_code", "httpstatus"];
const CODE_KEYS: [&str; 6] = ["code", "error_code", "errorcode", "error", "type", "subcode"];

/// A body's key as the lists above spell it: `statusCode`, `status-code` and `status_code` are one key to
/// apps.
fn key_name(key: &str) -> String {
    key.to_ascii_lowercase().replace('-', "_")
}

/// `key` is `name` (as the lists above spell it) once spelled so, without building `key_name`'s string: the
/// lookups below try every key of a body for each name.
fn key_is(key: &str, name: &str) -> bool {
    key.len() == name.len()
        && key.bytes().zip(name.bytes()).all(|(k, n)| {
            if k == b'-' {
                n == b'_'
            } else {
                k.to_ascii_lowercase() == n
            }
        })
}

/// Reads one JSON value found in a message.
fn value(v: &Value, depth: usize, found: &mut Scan) {
    if depth >= MAX_DEPTH {
        return;
    }
    match v {
        Value::Array(items) => {
            for item in items.iter().take(MAX_BODIES) {
                value(item, depth, found);
            }
        }
        Value::Object(map) => {
            if let Some(s) = scim_error(map) {
                found.push((depth, Found::Scim(s)));
            }
            let error_body = is_error_body(map);
            for (k, v) in map {
                let key = key_name(k);
                match v {
                    Value::String(s) => {
                        let s = s.trim();
                        if s.starts_with(['{', '[']) {
                            scan(s, depth, found);
                            continue;
                        }
                        if STATUS_KEYS.contains(&key.as_str()) {
                            if let Some(code) = s.parse::<u16>().ok().filter(|c| (400..600).contains(c)) {
                                found.push((depth, Found::Status(code)));
                                continue;
                            }
                        }
                        if s.is_empty() || s.eq_ignore_ascii_case("null") {
                            continue;
                        }
                        if CODE_KEYS.contains(&key.as_str()) && looks_like_code(s) {
                            found.push((depth, Found::Code(s.to_owned())));
                        } else if is_text_key(&key, error_body) {
                            found.push((depth, Found::Text(s.to_owned())));
                            // A body quoted inside the text (`… invoking <url> with statusCode: 400 and
                            // response: {"status":400,…}`) is read too, one level deeper.
                            if s.contains('{') {
                                scan(s, depth, found);
                            }
                        }
                    }
                    // An error key's list of sentences (`"errors": ["Email has already been taken"]`),
                    // and a validation body's sentences by field (`"errors": {"email": ["is invalid"]}`,
                    // Rails' and ASP.NET's ValidationProblemDetails): each is a text of the app's, a field's
                    // with its name before it. Only in an error body: elsewhere a list is the app's data.
                    Value::Array(items) if error_body && LIST_KEYS.contains(&key.as_str()) => {
                        sentences(items, None, depth, found);
                        value(v, depth + 1, found);
                    }
                    Value::Object(fields) if error_body && key == "errors" => {
                        for (field, v) in fields.iter().take(MAX_BODIES) {
                            // A known key (`"errors": {"error": […]}`) is read by the recursion below.
                            let known = key_name(field);
                            if LIST_KEYS.contains(&known.as_str()) || TEXT_KEYS.contains(&known.as_str()) {
                                continue;
                            }
                            if let Value::Array(items) = v {
                                sentences(items, Some(field), depth, found);
                            }
                        }
                        value(v, depth + 1, found);
                    }
                    Value::Object(_) | Value::Array(_) => value(v, depth + 1, found),
                    Value::Number(n) if STATUS_KEYS.contains(&key.as_str()) => {
                        let code = n.as_u64().and_then(|n| u16::try_from(n).ok());
                        if let Some(code) = code.filter(|c| (400..600).contains(c)) {
                            found.push((depth, Found::Status(code)));
                        }
                    }
                    _ => {}
                }
            }
        }
        _ => {}
    }
}

/// `key` (as `key_name` spells it) holds the app's reason: one of `TEXT_KEYS`, or a key whose name ends
/// in one of their words (`user_message`, `developerMessage`, `errorDetail`, an LDAP test's
/// `test_error_message`) in an error body, or anywhere when it names the error itself.
fn is_text_key(key: &str, error_body: bool) -> bool {
    TEXT_KEYS.contains(&key) || (names_a_text(key) && (error_body || key.contains("error")))
}

/// The keys whose list of strings is the app's sentences.
const LIST_KEYS: [&str; 5] = ["errors", "error", "messages", "details", "detail"];

/// The sentences among `items`, each a text (`field`'s, when they are one field's).
fn sentences(items: &[Value], field: Option<&str>, depth: usize, found: &mut Scan) {
    for s in items.iter().take(MAX_BODIES).filter_map(Value::as_str) {
        sentence(s, field, depth, found);
    }
}

/// One sentence of the app's, a text (a field's without its subject after the field's name; a code in a
/// list stays a code).
fn sentence(s: &str, field: Option<&str>, depth: usize, found: &mut Scan) {
    let s = s.trim();
    if s.is_empty() || s.eq_ignore_ascii_case("null") {
        return;
    }
    if field.is_none() && looks_like_code(s) {
        found.push((depth, Found::Code(s.to_owned())));
        return;
    }
    // Rails writes a field's sentence without its subject (`has already been taken`); a whole sentence
    // (`The Email field is required.`) keeps its own.
    let text = match field {
        Some(f)
            if s.starts_with(|c: char| c.is_lowercase())
                && !s.to_ascii_lowercase().contains(&f.to_ascii_lowercase()) =>
        {
            format!("{f} {s}")
        }
        _ => s.to_owned(),
    };
    found.push((depth, Found::Text(text)));
}

/// A code, not a sentence: one word of letters, digits, `_`, `.`, `-` or `:`.
fn looks_like_code(s: &str) -> bool {
    s.len() <= 64 && !s.contains(' ') && s.chars().any(|c| c.is_ascii_alphabetic())
}

/// An object that is an app's (or Okta's) error body, not some other record: a SCIM error object, or an
/// object with an error key (`error`, `errors`, `error_description`, `errorCode`, `errorSummary`, `fault`),
/// or a `message`/`detail` with an error status or code. A user or a group from an API is none of these.
pub fn is_error_body(map: &serde_json::Map<String, Value>) -> bool {
    const ERROR_KEYS: [&str; 9] = [
        "error",
        "errors",
        "error_description",
        "errorcode",
        "errorsummary",
        "error_code",
        "errormessage",
        "fault",
        "scimtype",
    ];
    if scim_error(map).is_some() {
        return true;
    }
    // An error key with nothing in it (`"errorCode": null`, `"errors": []`) says there was none.
    let said = |k: &str| {
        map.iter().any(|(key, v)| {
            key_is(key, k)
                && match v {
                    Value::Null | Value::Bool(false) => false,
                    Value::String(s) => !s.trim().is_empty(),
                    Value::Array(a) => !a.is_empty(),
                    Value::Object(o) => !o.is_empty(),
                    _ => true,
                }
        })
    };
    if ERROR_KEYS.iter().any(|k| said(k)) {
        return true;
    }
    let status = map.iter().any(|(k, v)| {
        STATUS_KEYS.iter().any(|s| key_is(k, s))
            && match v {
                Value::Number(n) => n.as_u64().is_some_and(|n| (400..600).contains(&n)),
                Value::String(s) => s.trim().parse::<u16>().is_ok_and(|n| (400..600).contains(&n)),
                _ => false,
            }
    });
    status && map.keys().any(|k| names_a_text(k))
}

/// `key` ends in a word for the app's reason (`message`, `user_message`, `errorDetail`, `description`),
/// whatever its case.
fn names_a_text(key: &str) -> bool {
    let key = key.as_bytes();
    ["message", "detail", "description"]
        .iter()
        .any(|w| key.len() >= w.len() && key[key.len() - w.len()..].eq_ignore_ascii_case(w.as_bytes()))
}

/// A SCIM error object: it names the SCIM error schema, or carries `scimType`, or `status` with `detail`.
fn scim_error(map: &serde_json::Map<String, Value>) -> Option<ScimError> {
    let get = |k: &str| map.iter().find(|(key, _)| key_is(key, k)).map(|(_, v)| v);
    let schema = get("schemas").and_then(Value::as_array).is_some_and(|s| {
        s.iter()
            .filter_map(Value::as_str)
            .any(|s| s.to_ascii_lowercase().contains(":api:messages:2.0:error"))
    });
    let scim_type = get("scimtype").and_then(Value::as_str).map(str::to_owned);
    let detail = get("detail").and_then(Value::as_str).map(str::to_owned);
    let status = get("status").and_then(|v| match v {
        Value::String(s) => s.trim().parse::<u16>().ok(),
        Value::Number(n) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
        _ => None,
    });
    let status = status.filter(|s| (400..600).contains(s));
    (schema || scim_type.is_some() || (status.is_some() && detail.is_some())).then_some(ScimError {
        status,
        scim_type,
        detail,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_sentence_is_wrapper_and_reason() {
        let a = Anatomy::parse(
            "Automatic provisioning of user John Doe to app Salesforce.com failed: License Limit Exceeded.",
        );
        assert_eq!(a.user.as_deref(), Some("John Doe"));
        assert_eq!(a.app.as_deref(), Some("Salesforce.com"));
        assert_eq!(a.operation, Some(Operation::Provision));
        assert_eq!(a.reason.as_deref(), Some("License Limit Exceeded"));
        assert_eq!(a.status, None);
    }

    #[test]
    fn the_status_word_and_the_remote_reason_are_apart() {
        let a = Anatomy::parse(
            "Automatic provisioning of user jane to app Acme failed: Error while creating user jane : Conflict. \
             Errors reported by remote server: Email domain is not allowed",
        );
        assert_eq!(a.operation, Some(Operation::Create));
        assert_eq!(a.status.as_ref().map(|s| s.code), Some(409));
        assert_eq!(a.reason.as_deref(), Some("Email domain is not allowed"));
    }

    #[test]
    fn the_app_s_own_status_and_error_prefix_are_no_part_of_its_reason() {
        // Written for this test: the app's answer Okta relays starts with a status or `Error:` of the app's
        // own; the reason is what it said after them, as when the same answer stands alone.
        for (message, status) in [
            (
                "Error while creating user jane: Errors reported by remote server: 403 Forbidden: Invalid application key",
                403,
            ),
            (
                "Error while creating user jane: Errors reported by remote server: Error: 400 Bad Request: connection is disabled",
                400,
            ),
        ] {
            let a = Anatomy::parse(message);
            let alone = Anatomy::parse(message.rsplit("remote server: ").next().unwrap_or_default());
            assert_eq!(a.status.as_ref().map(|s| s.code), Some(status), "{message}");
            assert_eq!(a.reason, alone.reason, "{message}");
            assert!(a.reason.as_deref().is_some_and(|r| !r.contains(&status.to_string()) && !r.starts_with("Error")));
        }
    }

    #[test]
    fn a_status_alone_leaves_no_reason() {
        let a = Anatomy::parse(
            "Error while verifying if user bob exists: Unauthorized. Errors reported by remote server:",
        );
        assert_eq!(a.operation, Some(Operation::Lookup));
        assert_eq!(a.status.map(|s| s.code), Some(401));
        assert_eq!(a.reason, None);
        let a = Anatomy::parse("Unable to update Group Push mapping target App group Eng: Error while creating user group Eng: HTTP 403 Forbidden");
        assert_eq!(a.operation, Some(Operation::GroupPush));
        assert_eq!(a.status.map(|s| s.code), Some(403));
        assert_eq!(a.reason, None);
    }

    #[test]
    fn words_inside_a_sentence_are_no_status() {
        let a = Anatomy::parse("Matching user not found.");
        assert_eq!(a.status, None);
        assert_eq!(a.reason.as_deref(), Some("Matching user not found"));
        let a = Anatomy::parse("User not found");
        assert_eq!(a.status, None);
    }

    #[test]
    fn scim_bodies_nested_in_strings_are_read_innermost_first() {
        let inner = r#"{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:Error\"],\"status\":\"409\",\"scimType\":\"uniqueness\",\"detail\":\"userName taken\"}"#;
        let msg = format!(
            r#"Bad Request. Errors reported by remote server: {{"error":"upstream","message":"{inner}"}}"#
        );
        let a = Anatomy::parse(&msg);
        let scim = a.scim.clone().expect("the SCIM object is found");
        assert_eq!(scim.scim_type.as_deref(), Some("uniqueness"));
        assert_eq!(scim.status, Some(409));
        assert_eq!(
            a.status.as_ref().map(|s| s.code),
            Some(409),
            "the inner status wins over the outer word"
        );
        assert_eq!(a.details.first().map(String::as_str), Some("userName taken"));
        assert!(a.plainly_an_error());
    }

    #[test]
    fn a_body_quoted_inside_a_detail_s_text_is_read_too() {
        // The shape of SAP's provisioning answers (an outer SCIM error whose detail quotes the target's).
        let msg = r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"detail":"Failed to create entity. HTTP operation failed invoking https://x.example/scim/Users with statusCode: 400 and response: {\"status\":400,\"detail\":\"Error while processing request.\",\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:Error\"],\"scimType\":\"invalidSyntax\"}","status":400}"#;
        let a = Anatomy::parse(msg);
        let scim = a.scim.clone().expect("a SCIM object is found");
        assert_eq!(scim.scim_type.as_deref(), Some("invalidSyntax"), "the inner one");
        assert_eq!(
            a.details.first().map(String::as_str),
            Some("Error while processing request."),
            "innermost first"
        );
        assert!(a.details.iter().any(|d| d.starts_with("Failed to create entity")));
    }

    #[test]
    fn an_error_body_s_lists_of_sentences_are_texts() {
        // ASP.NET's validation body (Arctera's KB quotes one from Entra's provisioning log): by field.
        let a = Anatomy::parse(
            r#"{"errors":{"name.familyName":["Required property 'familyName' not found in JSON."]},"title":"One or more validation errors occurred.","status":400}"#,
        );
        assert!(a
            .details
            .contains(&"Required property 'familyName' not found in JSON.".to_owned()));
        // A field's sentence that does not name it gets its name; a plain list keeps its sentences; a
        // code in the list stays a code.
        let a = Anatomy::parse(r#"{"errors":{"email":["has already been taken"]}}"#);
        assert_eq!(a.details, vec!["email has already been taken".to_owned()]);
        let a = Anatomy::parse(r#"{"errors":["Email can't be blank", "invalid_email"]}"#);
        assert_eq!(a.details, vec!["Email can't be blank".to_owned()]);
        assert!(a.codes.contains(&"invalid_email".to_owned()));
        // Outside an error body a list is the app's data, not what went wrong; so it is beside an error key
        // with nothing in it.
        for data in [
            r#"response {"details": ["all good"], "count": 1}"#,
            r#"the sync ran fine {"errorCode":null,"messages":["Imported 200 users"]}"#,
            r#"audit {"errors":[],"details":["role updated to admin"]}"#,
        ] {
            assert!(Anatomy::parse(data).details.is_empty(), "{data}");
        }
        assert!(!Anatomy::parse(r#"response {"details": ["all good"], "count": 1}"#).plainly_an_error());
        assert!(
            !Anatomy::parse(r#"the sync ran fine {"errorCode":null,"messages":["Imported 200 users"]}"#)
                .plainly_an_error()
        );
        // A field's sentence that names it, and a known key inside "errors", are read once, as written
        // (the known key's one level deeper, so first).
        let a = Anatomy::parse(r#"{"errors":{"email":["email is invalid"],"error":["Bad input"]}}"#);
        assert_eq!(
            a.details,
            vec!["Bad input".to_owned(), "email is invalid".to_owned()]
        );
    }

    #[test]
    fn connector_bodies_give_their_description_and_code() {
        let a = Anatomy::parse(
            r#"Error while creating user x: Errors during execution: Error executing createNewUser: Bad Request. Errors reported by the connector : {"Errors":{"description":"username_not_allowed (user=x)","code":400}}. Error Code: null"#,
        );
        assert_eq!(a.details, vec!["username_not_allowed (user=x)".to_owned()]);
        assert_eq!(a.status.map(|s| s.code), Some(400));
        assert_eq!(a.operation, Some(Operation::Create));
    }

    #[test]
    fn a_key_named_for_a_message_is_read_as_the_app_s_reason() {
        // An LDAP server's test result (no error body, but its key names the error) and an error body's
        // message for its user.
        let ldap = r#""LDAP Server" : [ { "url" : "ldap://ldapserver.com:389", "operational_status" : false, "test_error_code" : 49, "test_error_message" : "Invalid credentials", "test_success" : false } ]"#;
        assert!(Anatomy::parse(ldap).layers().any(|l| l == "Invalid credentials"));
        let user = r#"{"status":{"code":403,"user_message":"Forbidden: Access denied"}}"#;
        assert!(Anatomy::parse(user)
            .layers()
            .any(|l| l == "Forbidden: Access denied"));
        // A profile's own message, outside an error body, is the app's data, not its reason.
        let data = r#"{"profile":{"status_message":"Out of office"}}"#;
        assert!(!Anatomy::parse(data).layers().any(|l| l == "Out of office"));
    }

    #[test]
    fn a_failure_said_in_another_language_plainly_reports_an_error() {
        // Train corpus: Okta's Japanese Google Workspace import error (no rule knows it) and a Portuguese
        // expired token; and probes of the words in Chinese and German.
        for said in [
            "フィールド「orgUnitPath」でのオブジェクト「GoogleAppBaseProfile」のフィールドエラー：値が拒否されました",
            "O código de autenticação expirou",
            "创建用户失败",
            "Ungültige Anfrage",
        ] {
            assert!(Anatomy::parse(said).plainly_an_error(), "{said}");
        }
        // What went well, in the same languages, is no error.
        for said in [
            "ユーザーを作成しました",
            "Benutzer erfolgreich angelegt",
            "Usuário criado com sucesso",
        ] {
            assert!(!Anatomy::parse(said).plainly_an_error(), "{said}");
        }
    }

    #[test]
    fn a_key_is_read_however_its_words_are_joined() {
        // Jira Cloud's 401, as node-jira-client#255 shows it.
        let a = Anatomy::parse(
            r#"{"message":"Client must be authenticated to access this resource.","status-code":401}"#,
        );
        assert_eq!(a.status.map(|s| s.code), Some(401));
        assert_eq!(
            a.details,
            ["Client must be authenticated to access this resource."]
        );
        assert!(key_is("Status-Code", "status_code") && key_is("statusCode", "statuscode"));
        assert!(!key_is("status", "status_code") && !key_is("status_code", "status-code"));
        let a = Anatomy::parse(r#"{"error-code":"USER_LIMIT","error-message":"x"}"#);
        assert_eq!(
            (a.codes.as_slice(), a.details.as_slice()),
            (&["USER_LIMIT".to_owned()][..], &["x".to_owned()][..])
        );
    }

    #[test]
    fn codes_and_plain_words_tell_an_error() {
        assert!(Anatomy::parse("LICENSE_LIMIT_EXCEEDED:License Limit Exceeded").plainly_an_error());
        assert!(Anatomy::parse("409 Conflict: user exists").plainly_an_error());
        assert!(!Anatomy::parse("hello world").plainly_an_error());
        assert!(Anatomy::parse("Cannot deactivate an owner").plainly_an_error());
        assert!(!Anatomy::parse("Tasks assigned to me").plainly_an_error());
        assert!(!Anatomy::parse("Sync finished: 120 users, 0 errors").plainly_an_error());
        assert!(!Anatomy::parse("import done without errors (failures: 0)").plainly_an_error());
        assert!(Anatomy::parse("Import done, errors: 3").plainly_an_error());
        assert!(Anatomy::parse("0 errors, 1 failed: Seat limit reached").plainly_an_error());
        assert!(Anatomy::parse("User jane was not created: no errors returned").plainly_an_error());
        assert!(Anatomy::parse("Push returned no error details; user jane not created").plainly_an_error());
        assert!(!Anatomy::parse("[1, 2, 3] {not json").plainly_an_error());
        // The same counts of none, and success, in other languages (lines written for this test).
        for none in [
            "同期が完了しました。エラーはありません",
            "同步完成，0 个错误",
            "동기화 완료: 오류 0건",
            "Synchronisierung abgeschlossen: 0 Fehler",
            "Synchronisation terminée sans erreur",
            "Nenhum erro encontrado",
            "Senkronizasyon tamamlandı, hata yok",
            "Usuario desactivado correctamente",
            "Benutzer jdoe wurde erfolgreich deaktiviert",
            "ライセンス上限: 500ユーザー（使用中 120）",
            "비밀번호 만료 알림을 보냈습니다",
        ] {
            assert!(!Anatomy::parse(none).plainly_an_error(), "{none}");
        }
        // … while the words still count where they report a failure (the first two quoted from the corpus, the
        // third written for this test).
        for error in [
            "上限人数に達しているため従業員の追加は出来ません",
            "Ihr Zugang wurde deaktiviert, bitte wenden Sie sich an Ihren Administrator.",
            "0 Fehler, 1 fehlgeschlagen: Lizenzlimit erreicht",
        ] {
            assert!(Anatomy::parse(error).plainly_an_error(), "{error}");
        }
        // A bare `null` (jq's output for a missing reason) is no message; after Okta's wrapper it is an
        // answer Okta could not quote.
        let bare = Anatomy::parse("null");
        assert_eq!((bare.reason, bare.no_answer), (None, false));
        let quoted = Anatomy::parse("Error authenticating: null");
        assert_eq!((quoted.reason, quoted.no_answer), (None, true));
        assert_eq!(quoted.wrapper_operation, Some(Operation::Authenticate));
        // The operation is read from Okta's wrapper, not from the app's reason.
        let a = Anatomy::parse("Error while creating user jane: Errors reported by remote server: Cannot process user group assignment");
        assert_eq!(
            (a.operation, a.wrapper_operation),
            (Some(Operation::Create), Some(Operation::Create))
        );
    }

    #[test]
    fn error_bodies_are_told_from_other_objects() {
        let body =
            |t: &str| -> serde_json::Map<String, Value> { serde_json::from_str(t).expect("an object") };
        assert!(is_error_body(&body(
            r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"detail":"x"}"#
        )));
        assert!(is_error_body(&body(
            r#"{"error":"invalid_grant","error_description":"expired"}"#
        )));
        assert!(is_error_body(&body(r#"{"code":403,"message":"Not Authorized"}"#)));
        assert!(!is_error_body(&body(
            r#"{"id":"00u1","status":"ACTIVE","profile":{"title":"Engineer"}}"#
        )));
        assert!(!is_error_body(&body(r#"{"message":"hello","code":200}"#)));
    }

    #[test]
    fn codes_are_read_as_words() {
        let words = |t: &str| Anatomy::parse(t).code_words.unwrap_or_default();
        assert_eq!(words("error.user.not_in_org"), "error user not in org");
        assert_eq!(
            words("MutuallyExclusiveViolation"),
            "mutually exclusive violation"
        );
        assert_eq!(words("LICENSE_LIMIT_EXCEEDED: seats"), "license limit exceeded");
        assert_eq!(words("see https://x.example/a_b"), "");
        assert_eq!(words("plain words only"), "");
        // A schema's URN is no code: "scim" and "schemas" are not the app's words.
        assert_eq!(
            words("$['urn:ietf:params:scim:schemas:extension:sap:2.0:User'].userUuid EMPTY"),
            "user uuid"
        );
        assert_eq!(
            without_names_of_places(
                "a urn:ietf:params:scim:api:messages:2.0:Error b https://x.example/scim/v2 c"
            ),
            "a   b   c"
        );
    }

    #[test]
    fn hostile_bodies_end() {
        let deep = "[".repeat(10_000);
        let a = Anatomy::parse(&deep);
        assert!(a.details.is_empty());
        let many = r#"{"message":"x"} "#.repeat(1000);
        assert!(Anatomy::parse(&many).details.len() <= MAX_BODIES);
    }

    #[test]
    fn brackets_never_closed_cost_a_few_passes_of_the_text() {
        // Each try at one of these brackets reads 128 levels deep (serde_json's limit, some 640 bytes) before
        // it fails: without the budget, 40,000 tries would build and drop 25 MB of values.
        let cut = format!(
            "failed: {}{}",
            r#"["x","#.repeat(40_000),
            r#"{"detail":"read only without a budget"}"#
        );
        let half = &cut[cut.len() / 2..];
        let half = &half[half.find('[').unwrap_or(0)..];
        let e = serde_json::from_str::<Value>(half).expect_err("never closed");
        assert!(parsed_before(half, &e) > 600, "{e}");
        let mut scanned = Scan {
            found: Vec::new(),
            budget: scan_budget(cut.len()),
        };
        assert!(scan(&cut, 0, &mut scanned).is_empty());
        assert!(scanned.spent());
        // It stopped there: the body after the brackets, which it would reach at last, was not read.
        assert!(scanned.found.is_empty(), "the scan went on past its budget");
        // The budget leaves room for what a message holds: many brackets of prose, then the app's body.
        let prose = format!(
            "{} {}",
            "[INFO] [step] ".repeat(2_000),
            r#"{"detail":"Seat limit reached"}"#
        );
        assert_eq!(Anatomy::parse(&prose).details, ["Seat limit reached"]);
    }

    #[test]
    fn where_the_parser_stopped_is_counted_in_bytes_across_lines() {
        let e = serde_json::from_str::<Value>("{\"a\":\n  1 x}").expect_err("broken");
        assert_eq!(parsed_before("{\"a\":\n  1 x}", &e), "{\"a\":\n  1 x".len());
        let e = serde_json::from_str::<Value>("[1, 2").expect_err("cut");
        assert_eq!(parsed_before("[1, 2", &e), 5);
    }
}
