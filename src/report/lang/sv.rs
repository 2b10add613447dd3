//! Swedish, as a Swedish vendor's SLA page reads. The words, used the same
//! way everywhere: ärende (ticket), första svar, svarstid, mål (target),
//! tidsgräns (deadline), måluppfyllelse (attainment), inom tid (met),
//! överskriden (breached), öppen, prioritet, plan, omklassificering,
//! kontorstid (business hours) and kalendertid (24/7 time), helgdagar,
//! brytpunkt (the as-of instant), kund (organization), handläggare
//! (assignee), agent, avvisad (rejected). Decimal comma, and a no-break
//! space before `%` and units.

use super::{Breakdown, ChartCaption, Listed, Noun, Texts};
use crate::calendar::HolidayRule;
use crate::ingest::Reason;
use crate::model::Status;
use crate::policy::Mode;

/// `3 h`, `3 h 30 min`, `45 min`, `30 s`: a target's length.
fn target_length(seconds: i64) -> String {
    let (h, m, s) = (seconds / 3600, seconds % 3600 / 60, seconds % 60);
    let parts: Vec<String> = [(h, "h"), (m, "min"), (s, "s")]
        .into_iter()
        .filter(|&(n, _)| n > 0)
        .map(|(n, unit)| format!("{n}\u{a0}{unit}"))
        .collect();
    if parts.is_empty() {
        "0\u{a0}s".to_string()
    } else {
        parts.join(" ")
    }
}

/// `ärende` or `ärenden` after a count.
fn tickets(n: usize) -> &'static str {
    if n == 1 {
        "ärende"
    } else {
        "ärenden"
    }
}

/// Words of the English texts that Swedish writes the same (lowercase):
/// the page and charts in Swedish may hold them (the tests of `--lang sv`
/// look for every other English word).
pub const SWEDISH_ALSO_ENGLISH: &[&str] = &[
    "agent", "cest", "cet", "data", "dec", "jan", "median", "panel", "per", "period", "plan",
    "service", "sla", "status", "under", "utc",
];

pub const SV: Texts = Texts {
    html_lang: "sv",

    decimal_mark: ',',
    percent_sign: "\u{a0}%",
    short_units: ["\u{a0}h", "\u{a0}min", "\u{a0}s"],
    target_length,
    hour: Noun { one: "timme", many: "timmar" },
    minute: Noun { one: "minut", many: "minuter" },
    second: Noun { one: "sekund", many: "sekunder" },
    ticket: Noun { one: "ärende", many: "ärenden" },
    open_ticket: Noun { one: "öppet ärende", many: "öppna ärenden" },
    change: Noun { one: "ändring", many: "ändringar" },

    built_in_priorities: ["Affärskritiskt", "Degraderad service", "Allmänna problem"],
    no_target_words: "inget",
    within_business_hours: |h| format!("inom {h} {} kontorstid", if h == 1 { "timme" } else { "timmar" }),
    within_business_time: |d| format!("inom {d} kontorstid"),
    within_24_7: |d| format!("inom {d}, dygnet runt"),
    holiday: |rule| match rule {
        HolidayRule::NewYearsDay => "nyårsdagen (1 jan)",
        HolidayRule::Epiphany => "trettondedag jul (6 jan)",
        HolidayRule::GoodFriday => "långfredagen",
        HolidayRule::EasterMonday => "annandag påsk",
        HolidayRule::LabourDay => "första maj",
        HolidayRule::AscensionDay => "Kristi himmelsfärds dag",
        HolidayRule::WhitMonday => "annandag pingst",
        HolidayRule::ChristmasEve => "julafton (24 dec)",
        HolidayRule::ChristmasDay => "juldagen (25 dec)",
        HolidayRule::StStephensDay => "annandag jul (26 dec)",
        HolidayRule::NewYearsEve => "nyårsafton (31 dec)",
    },
    mode_name: |mode| match mode {
        Mode::Current => "<i>gällande prioritet</i>",
        Mode::Restart => "<i>omstart</i>",
        Mode::Initial => "<i>ursprunglig prioritet</i>",
        Mode::Prorata => "<i>proportionell</i>",
    },
    mode_words: |mode| match mode {
        Mode::Current => "prioriteten som gäller vid första svaret avgör målet, räknat från att ärendet skapades",
        Mode::Restart => "prioriteten som gäller vid första svaret avgör målet, räknat från den senaste omklassificeringen",
        Mode::Initial => "prioriteten som kunden angav avgör målet, räknat från att ärendet skapades; omklassificeringar räknas inte",
        Mode::Prorata => "varje del av ärendets livstid förbrukar sin andel av målet för den prioritet som gällde då; överskridet när andelarna tillsammans blir mer än 1",
    },
    weekdays: ["måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"],
    day_range: |a, b| format!("{a}\u{2013}{b}"),
    closed: "stängt",
    status: |status| match status {
        Status::Met => "inom tid",
        Status::Breached => "överskriden",
        Status::Open => "öppen",
        Status::OpenBreached => "öppen, överskriden",
        Status::NoTarget => "inget mål",
        Status::Excluded => "undantagen",
    },
    business_time: "kontorstid",
    time_24_7: "kalendertid",
    business_short: "kontorstid",
    short_24_7: "24/7",
    time_on_clock: |d, clock| format!("{d} {clock}"),

    range: |a, b| format!("{a} till {b}"),
    and: "och",
    from_date: |d| format!("från {d}"),
    until_date: |d| format!("till och med {d}"),
    no_month: "ingen månad",
    every_date: "alla datum",
    no_tickets: "inga ärenden",
    selected_with_month: "<code>--month</code>",
    selected_with_from_until: "<code>--from</code> och <code>--until</code>, båda dagarna medräknade",
    selected_with_from: "<code>--from</code>",
    selected_with_until: "<code>--until</code>, den dagen medräknad",
    selected_period: |text, flags, zone| {
        format!("ärenden skapade {text} (valda med {flags}; datum då ärendet skapades, i {zone})")
    },
    whole_period: |text, zone| {
        format!("{text} (alla ärenden i filerna, ingen period vald; månad då ärendet skapades, i {zone})")
    },

    title: |period| format!("SLA-rapport, svarstid till första svar, {period}"),
    heading: "SLA-rapport: svarstid till första svar",
    period_label: "Period:",
    as_of_label: "Läget per:",
    no_as_of: "ingen (inga godkända rader)",
    tickets_evaluated_label: "Bedömda ärenden:",
    rule_label: "Regel vid omklassificering:",
    input_tz_label: "Tidszon för indata:",
    made_by: |by| format!("Skapad med {by}."),
    nav: [
        "SLA-villkor",
        "Översikt",
        "Diagram",
        "Per månad",
        "Värsta överskridanden",
        "Närmast tidsgränsen",
        "Jämförelse av regler",
        "Omklassificeringar",
        "Grupper och handläggare",
        "Kunder",
        "Indata och avvisade rader",
    ],

    policy_heading: "SLA-villkoren som mäts",
    policy_intro: "Garanterad svarstid till första svar, per plan och prioritet, så som den här körningen läste villkoren:",
    priority_header: "prioritet",
    business_hours_line: |hours, zone| {
        format!("Kontorstid: {hours}, lokal tid i {zone} (med dess regler för sommartid).")
    },
    holidays_line: |h| format!("Helgdagar (stängt hela dagen): {h}."),
    no_holidays: "inga",
    not_covered_line: |stages| format!("Omfattas inte: ärenden om produkter i stadiet {stages}."),
    no_stages: "(inget)",
    default_priority_line: |p| format!("Ett ärende utan angiven prioritet får {p}."),
    reclassified_line: |name, words| format!("Omklassificerade ärenden ({name}): {words}."),

    headline_heading: "Måluppfyllelse för hela perioden",
    headline_intro: "Måluppfyllelse = inom tid / (inom tid + överskridna + öppna och redan överskridna), över alla månader; avrundad som <code>attainment_pct</code> i summary.csv (en exakt halv avrundas till jämn siffra). Öppna ärenden som ännu är inom tid räknas inte än.",
    no_plan_with_target: "Ingen plan har något mål.",
    no_target: "inget mål",
    no_counted_tickets: "inga räknade ärenden",
    met_of: |met, of| format!("{met} inom tid av {of}"),
    all_priorities_with_target: "alla prioriteter med mål",
    no_guarantee: |plans| format!("Ingen svarstid garanteras för: {plans}."),

    charts_heading: "Diagram",
    no_chart: |note| format!("inget diagram: {note}"),
    attainment_chart: ChartCaption {
        title: "Måluppfyllelse per månad",
        caption: "en panel per plan med mål, en linje per prioritet, på en \
                  skala från 0 till 100\u{a0}%; den svarta linjen är \
                  100\u{a0}%; ett avbrott i en linje är en månad utan \
                  räknade ärenden; ett grått fält är en månad som \
                  periodvalet uteslöt.",
    },
    response_times_chart: ChartCaption {
        title: "Svarstider mot målet",
        caption: "för besvarade ärenden, andelen som besvarades inom x \
                  gånger målet; den streckade linjen vid 1,0 är \
                  tidsgränsen, så kurvans höjd där är andelen som \
                  besvarades inom tid.",
    },
    reclassifications_chart: ChartCaption {
        title: "Omklassificeringar",
        caption: "de faktiska prioritetsändringarna, vem som än gjorde dem \
                  (agent, kund eller annan), per plan (rad: från, \
                  kolumn: till), och andelen av varje månads ärenden som \
                  omklassificerades.",
    },

    summary_heading: "Sammanställning per månad",
    summary_intro: "Varje rad i <a href=\"summary.csv\"><code>summary.csv</code></a>, samma siffror och samma kolumner. Tider är sekunder på målets klocka (kontorstid eller kalendertid), med timmar och minuter under.",
    summary_columns: [
        "månad",
        "plan",
        "prioritet",
        "ärenden",
        "inom tid",
        "överskridna",
        "öppna",
        "öppna, överskridna",
        "inget mål",
        "undantagna",
        "omklassificerade",
        "måluppfyllelse (%)",
        "median (s)",
        "90:e percentil (s)",
    ],

    breaches_heading: |n| format!("De {n} värsta överskridandena"),
    breaches_intro: "Överskridna ärenden (besvarade för sent, eller fortfarande öppna efter tidsgränsen), rangordnade efter hur sena de är <b>i förhållande till sitt mål</b>: tiden som räknats efter målet (<code>-margin_s</code> i tickets.csv) delad med målet, så att mål i kontorstid och kalendertid, långa som korta, rangordnas med ett och samma mått. \u{201d}Försenat med\u{201d} är tid på ärendets egen klocka: kontorstid för mål i kontorstid, varje timme för mål dygnet runt. Det anges i mål (2,0\u{d7} = två gånger målet efter tidsgränsen), sedan som tid och i sekunder. För öppna ärenden växer det tills de besvaras.",
    no_breaches: "Inga överskridanden.",
    breaches_columns: [
        "#",
        "ärende",
        "plan",
        "prioritet",
        "mål",
        "tidsgräns (UTC, som i tickets.csv; lokal tid under)",
        "första svar (UTC; lokal tid under)",
        "försenat med",
    ],
    no_response_yet: "inget ännu (öppet)",
    times_the_target: |x| format!("<b>{x}</b> målet"),
    breaches_total: |n| {
        format!(
            "{n} {} totalt; vart och ett finns i <a href=\"tickets.csv\"><code>tickets.csv</code></a> (kolumnen <code>status</code>).",
            if n == 1 { "överskridet ärende" } else { "överskridna ärenden" }
        )
    },

    at_risk_heading: "Närmast tidsgränsen",
    at_risk_intro: |open, late| {
        format!(
            "Öppna ärenden som ännu är inom sitt mål, den tidigaste tidsgränsen först; \u{201d}kvar\u{201d} är tiden som återstår på ärendets egen klocka vid brytpunkten (<code>remaining_s</code>, samma som <code>margin_s</code> i tickets.csv). Alla finns i <a href=\"at_risk.csv\"><code>at_risk.csv</code></a> ({}). Utöver dem är <b>{late} {}</b> redan efter tidsgränsen och fortfarande {} (bland de värsta överskridandena ovan). Kör med <code>--as-of</code> satt till nuvarande tidpunkt för att se ärendena som de står nu.",
            SV.count(open as u64, SV.open_ticket),
            tickets(late),
            if late == 1 { "obesvarat" } else { "obesvarade" },
        )
    },
    none_at_risk: "Inget öppet ärende är inom sitt mål.",
    at_risk_columns: ["#", "ärende", "kund", "plan", "prioritet", "kvar"],
    deadline_in: |zone| format!("tidsgräns ({zone}; UTC under)"),
    never: "aldrig",

    comparison_heading: "Jämförelse: de fyra reglerna för omklassificering",
    comparison_intro: "Hur mycket regeln för omklassificering flyttar siffrorna: varje ärende bedömt enligt varje regel, måluppfyllelse för hela perioden per plan. Per månad och prioritet i <a href=\"policy_comparison.csv\"><code>policy_comparison.csv</code></a>.",
    no_plan_with_tickets: "Ingen plan med mål har ärenden.",
    plan_header: "plan",
    this_report: " (denna rapport)",
    mode_sensitive_heading: "Regelkänsliga ärenden",
    mode_sensitive_intro: |n, reclassified, listed| {
        format!(
            "<b>{n} {}</b> vars status beror på regeln (av {reclassified} omklassificerade); alla finns i <a href=\"mode_sensitive_tickets.csv\"><code>mode_sensitive_tickets.csv</code></a>{}.",
            tickets(n),
            listed.map_or_else(String::new, |k| format!(", de första {k} nedan")),
        )
    },
    mode_sensitive_columns: ["ärende", "plan", "månad", "angiven"],

    breakdowns_heading: "Grupper och handläggare",
    no_breakdown: "Ärendefilerna saknar kolumner för grupp och handläggare, så det finns ingen uppdelning.",
    breakdowns_intro: "Måluppfyllelse för hela perioden och alla planer och prioriteter med mål; ett ärende utan värde (ett tomt fält, eller en fil utan kolumnen) står under <i>(tomt)</i>.",
    by_group: Breakdown {
        heading: "Per grupp",
        column: "grupp",
        values: |n, file| {
            format!(
                "{n} {}; per månad, plan och prioritet i {file}",
                if n == 1 { "grupp" } else { "grupper" }
            )
        },
    },
    by_assignee: Breakdown {
        heading: "Per handläggare",
        column: "handläggare",
        values: |n, file| format!("{n} handläggare; per månad, plan och prioritet i {file}"),
    },
    by_organization: Breakdown {
        heading: "Per kund",
        column: "kund",
        values: |n, file| {
            format!(
                "{n} {}; per månad, plan och prioritet i {file}",
                if n == 1 { "kund" } else { "kunder" }
            )
        },
    },
    breakdown_order: |listed| match listed {
        Listed::AllByName => String::new(),
        Listed::AllWorstFirst => "; nedan den lägsta måluppfyllelsen först".to_string(),
        Listed::FirstByName(k) => format!("; nedan de första {k} efter namn"),
        Listed::Worst(k) => format!("; nedan de {k} med lägst måluppfyllelse"),
    },
    tickets_header: "ärenden",
    attainment_header: "måluppfyllelse",
    empty_value: "<i>(tomt)</i>",
    organizations_heading: "Kunder",
    organizations_intro: "Måluppfyllelse per kund för hela perioden och alla planer och prioriteter med mål; ett ärende utan kund står under <i>(tomt)</i>.",

    reclassification_heading: "Omklassificeringar i korthet",
    reclassification_intro: "En faktisk ändring flyttar ett ärende till en annan prioritet. En uppgradering flyttar det till en mer brådskande prioritet (ett lägre nummer, t.ex. P3 till P1), en nedgradering till en mindre brådskande. Antalen omfattar ändringar efter första svaret, fram till brytpunkten, som i <a href=\"reclassifications.csv\"><code>reclassifications.csv</code></a>; vem som gjorde dem (kolumnen <code>changed_by</code>: agent, kund eller annan) som i <a href=\"reclassification_summary.csv\"><code>reclassification_summary.csv</code></a>.",
    reclassification_columns: [
        "plan",
        "ärenden",
        "omklassificerade ärenden",
        "andel",
        "faktiska ändringar",
        "nedgraderingar",
        "uppgraderingar",
        "av agenter",
        "av kunder",
        "av andra",
    ],
    no_changes: "Inga faktiska prioritetsändringar.",
    frequent_heading: "Vanligaste ändringarna under perioden",
    frequent_columns: ["plan", "från", "till", "ändringar"],

    rejects_heading: "Indatafiler och avvisade rader",
    rows_rejected: |n| {
        format!(
            "<b>{n} {}</b>; var och en listas med fil, rad och orsak i <a href=\"rejects.csv\"><code>rejects.csv</code></a>. Avvisade rader ingår inte i någon siffra ovan.",
            if n == 1 { "avvisad rad" } else { "avvisade rader" }
        )
    },
    rejects_columns: ["orsak", "rader"],
    reject_reason: |reason| {
        let words = match reason {
            Reason::MalformedRow => "felformad rad",
            Reason::MissingField => "fält saknas",
            Reason::BadTimestamp => "ogiltig tidpunkt",
            Reason::NonexistentLocalTime => "lokal tid som inte finns (övergång till sommartid)",
            Reason::UnknownPlan => "okänd plan",
            Reason::BadPriority => "ogiltig prioritet",
            Reason::DuplicateTicketId => "ärende-id förekommer redan",
            Reason::ResponseBeforeCreated => "svar före skapande",
            Reason::UnknownTicket => "okänt ärende",
            Reason::TicketRejected => "ärendet avvisades",
        };
        format!("{words} (<code>{}</code>)", reason.as_str())
    },
    ticket_rows: "Ärenderader",
    change_rows: "Rader med prioritetsändringar",
    no_file_of_kind: "ingen fil av det slaget lästes",
    identity: |read, accepted, rejected, skipped| {
        format!("{read} lästa = {accepted} godkända + {rejected} avvisade + {skipped} överhoppade (efter brytpunkten)")
    },
    identity_outside: |n| format!(" + {n} utanför perioden"),
    identity_ignored: |n| format!(" + {n} ignorerade (andra fält)"),
    files_columns: [
        "fil",
        "slag",
        "lästa poster",
        "godkända",
        "avvisade",
        "överhoppade (efter brytpunkten)",
        "utanför perioden",
        "ignorerade (andra fält)",
        "varningar",
        "SHA-256",
    ],
    kind_tickets: "ärenden",
    kind_changes: "ändringar",
    warnings_note: "Varningar: prioritetsändringar vars <code>from_priority</code> inte stämde med den rekonstruerade prioriteten (ändringen gällde ändå)",
    warnings_mismatches: |n| {
        format!(
            "; och {n} {} vars historik slutar på en annan prioritet än exportens (historiken gäller)",
            if n == 1 { "ärende" } else { "ärenden" }
        )
    },
    warnings_where: ". Var och en listas med fil, rad och ärende i <a href=\"warnings.csv\"><code>warnings.csv</code></a> (som skrivs när det finns några).",
    read_as_export: |name| format!("Indata lästes som exporter från {name} (--format {name})."),
    read_through_profile: |name| {
        format!("Indata lästes genom importprofilen \u{201d}{name}\u{201d} (sparad i sin helhet i run.json).")
    },
    plans_from_customers: |path, n| {
        format!(" Planen kommer från {path} ({n} kunder) för de ärenden som saknar plan.")
    },
    plans_from_customers_digest: |path, sha256| {
        format!(" Planen kommer från {path} (SHA-256 {sha256}) för de ärenden som saknar plan.")
    },

    customer_inputs_heading: "Indatafiler",
    customer_inputs_note: |customer| {
        format!("Siffrorna ovan gäller de ärenden vars <code>organization</code> är <b>{customer}</b> i filerna nedan, och inga andra; <a href=\"tickets.csv\"><code>tickets.csv</code></a> listar vart och ett med sin bedömning. Rader som avvisades vid inläsningen hör inte till någon kund och finns i den fullständiga rapporten.")
    },

    no_data: "Inga data",
    not_selected: "ej valt",
    month_axis: "månad då ärendet skapades",
    attainment_title: "Måluppfyllelse för första svar per månad",
    attainment_subtitle: [
        "Andel besvarade inom målet: inom tid / (inom tid + överskridna + öppna och redan överskridna), per månad då ärendet skapades.",
        "Ett avbrott i en linje: inget ärende med den planen och prioriteten räknades den månaden.",
    ],
    attainment_band: "Ett grått fält: en månad som periodvalet uteslöt.",
    attainment_no_data: "inget ärende med mål besvarades eller blev försenat under perioden",
    attainment_axis: "måluppfyllelse (%)",
    every_ticket_in_time: "100\u{a0}% = alla ärenden inom tid",
    response_title: "Hur nära tidsgränsen kommer de första svaren?",
    response_subtitle: [
        "Andel besvarade ärenden (inom tid eller överskridna) vars svarstid var högst x gånger målet.",
        "Till vänster om den streckade linjen: inom tid. Där en kurva slutar under 100\u{a0}% tog resten mer än 3\u{d7} målet.",
        "En ökning vid 0: besvarat innan någon tid räknats (t.ex. ett ärende med kontorstid som besvarades under natten).",
    ],
    response_no_data: "inget ärende med mål besvarades under perioden",
    response_x_axis: "svarstid \u{f7} mål (1,0 = tidsgräns)",
    response_y_axis: "besvarade ärenden, kumulativt (%)",
    deadline: "tidsgräns",
    answered: |label, n| format!("{label}: {n} besvarade"),
    in_time: |n| format!(", {n} inom tid"),
    beyond: |n| format!(", {n} över 3\u{d7}"),
    reclassifications_title: "Omklassificeringar av prioritet",
    reclassifications_subtitle: [
        "Överst: faktiska prioritetsändringar (till en annan prioritet) under hela perioden, per plan; rad = från, kolumn = till.",
        "Ändringar av alla räknas: agenter, kunder och andra.",
        "Nederst: andel av ärendena skapade en viss månad som hade minst en faktisk ändring.",
    ],
    reclassifications_no_data: "inga ärenden under perioden",
    matrix_too_large: |plans, k| {
        format!("{plans} planer \u{d7} {k} prioritetsnivåer får inte plats här; se reclassifications.csv")
    },
    to_priority: "till prioritet",
    from_priority: "från prioritet",
    reclassified_axis: "omklassificerade ärenden (%)",
};
