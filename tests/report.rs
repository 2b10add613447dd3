//! End-to-end tests of the charts (PNG) and report.html, and of the
//! committed report in `reports/`.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::*;

/// A fresh, empty folder for one test.
fn scratch(name: &str) -> PathBuf {
    scratch_in("report", name)
}

const CHARTS: [(&str, u32, u32); 3] = [
    ("attainment.png", 1200, 800),
    ("response_times.png", 1200, 800),
    ("reclassifications.png", 1200, 900),
];

fn run_ok(args: &[&str]) {
    let out = sla(args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A decoded 8-bit RGB or RGBA PNG (the subset sla-report and Chromium
/// write): every chunk's CRC checked, the zlib stream inflated, the five
/// filter types undone.
struct Image {
    width: u32,
    height: u32,
    /// RGB per pixel.
    rgb: Vec<[u8; 3]>,
}

impl Image {
    fn pixel(&self, x: u32, y: u32) -> [u8; 3] {
        self.rgb[(y * self.width + x) as usize]
    }

    /// Pixels in [x0, x1) x [y0, y1) darker than light grey.
    fn dark_pixels(&self, (x0, y0): (u32, u32), (x1, y1): (u32, u32)) -> usize {
        let mut n = 0;
        for y in y0..y1.min(self.height) {
            for x in x0..x1.min(self.width) {
                let [r, g, b] = self.pixel(x, y);
                if (r as u32 + g as u32 + b as u32) < 3 * 160 {
                    n += 1;
                }
            }
        }
        n
    }
}

fn decode_png(bytes: &[u8]) -> Image {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
    let mut at = 8;
    let (mut width, mut height, mut channels) = (0u32, 0u32, 0usize);
    let mut idat = Vec::new();
    let mut seen_end = false;
    while at < bytes.len() {
        let len = u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
        let kind = &bytes[at + 4..at + 8];
        let data = &bytes[at + 8..at + 8 + len];
        let crc = u32::from_be_bytes(bytes[at + 8 + len..at + 12 + len].try_into().unwrap());
        let mut h = crc32fast::Hasher::new();
        h.update(kind);
        h.update(data);
        assert_eq!(
            h.finalize(),
            crc,
            "CRC of {}",
            String::from_utf8_lossy(kind)
        );
        match kind {
            b"IHDR" => {
                width = u32::from_be_bytes(data[0..4].try_into().unwrap());
                height = u32::from_be_bytes(data[4..8].try_into().unwrap());
                assert_eq!(data[8], 8, "bit depth");
                channels = match data[9] {
                    2 => 3,
                    6 => 4,
                    other => panic!("colour type {other} not supported here"),
                };
                assert_eq!(data[12], 0, "interlacing not supported here");
            }
            b"IDAT" => idat.extend_from_slice(data),
            b"IEND" => seen_end = true,
            _ => {}
        }
        at += 12 + len;
    }
    assert!(seen_end, "IEND chunk");
    let mut raw = Vec::new();
    flate2::read::ZlibDecoder::new(&idat[..])
        .read_to_end(&mut raw)
        .expect("zlib stream");
    let stride = width as usize * channels;
    assert_eq!(raw.len(), (stride + 1) * height as usize, "image data size");
    let mut prev = vec![0u8; stride];
    let mut rgb = Vec::with_capacity(width as usize * height as usize);
    for line in raw.chunks_exact(stride + 1) {
        let filter = line[0];
        let mut cur = line[1..].to_vec();
        for i in 0..stride {
            let a = if i >= channels {
                cur[i - channels] as i32
            } else {
                0
            };
            let b = prev[i] as i32;
            let c = if i >= channels {
                prev[i - channels] as i32
            } else {
                0
            };
            let add = match filter {
                0 => 0,
                1 => a,
                2 => b,
                3 => (a + b) / 2,
                4 => {
                    let p = a + b - c;
                    let (pa, pb, pc) = ((p - a).abs(), (p - b).abs(), (p - c).abs());
                    if pa <= pb && pa <= pc {
                        a
                    } else if pb <= pc {
                        b
                    } else {
                        c
                    }
                }
                f => panic!("filter type {f}"),
            };
            cur[i] = (cur[i] as i32 + add) as u8;
        }
        for px in cur.chunks_exact(channels) {
            rgb.push([px[0], px[1], px[2]]);
        }
        prev = cur;
    }
    Image { width, height, rgb }
}

/// The first of `names` that runs (`NAME VERSION_FLAG`); `None`, with a
/// note, when none does, except under CI, where `.ci/run` installs
/// `package`.
fn tool(names: &[&'static str], version_flag: &str, package: &str) -> Option<&'static str> {
    let found = names.iter().copied().find(|c| {
        Command::new(c)
            .arg(version_flag)
            .output()
            .is_ok_and(|o| o.status.success())
    });
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "{} is missing under CI: .ci/run should have installed {package}",
            names[0]
        );
        eprintln!(
            "note: {} not found; skipping a test that needs it (apt-get install {package})",
            names[0]
        );
    }
    found
}

/// Renders `page` with headless Chromium through `scripts/screenshot.sh`
/// (the one home of its flags): a PNG screenshot, or a PDF when `out` ends
/// in `.pdf`.
fn render(chromium: &str, page: &Path, out: &Path) {
    let status = Command::new(format!("{ROOT}/scripts/screenshot.sh"))
        .arg(page)
        .arg(out)
        .env("CHROMIUM", chromium)
        .status()
        .unwrap();
    assert!(
        status.success() && out.is_file(),
        "screenshot.sh wrote no {}",
        out.display()
    );
}

fn decode_file(path: &Path) -> Image {
    decode_png(&std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

/// The files of a report folder, name -> bytes (not its lock file).
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_file() && e.file_name() != ".sla-report.lock")
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

mod charts {
    use super::*;

    #[test]
    fn charts_exist_and_decode_as_png_of_the_expected_size() {
        let out = scratch("charts-sample");
        run_ok(&["run", "--out", out.to_str().unwrap()]);
        for (name, w, h) in CHARTS {
            let img = decode_file(&out.join(name));
            assert_eq!((img.width, img.height), (w, h), "{name}");
            // something is drawn in the plot area, not only the title
            let drawn = img.dark_pixels((0, 150), (w, h));
            assert!(drawn > 5_000, "{name}: {drawn} dark pixels below the title");
        }
    }

    #[test]
    fn the_same_inputs_give_byte_identical_charts_and_page() {
        let dir = scratch("charts-twice");
        let (a, b) = (dir.join("a"), dir.join("b"));
        for out in [&a, &b] {
            run_ok(&["run", "--out", out.to_str().unwrap()]);
        }
        let (fa, fb) = (files(&a), files(&b));
        assert_eq!(fa.keys().collect::<Vec<_>>(), fb.keys().collect::<Vec<_>>());
        for (name, _, _) in CHARTS {
            assert!(fa[name] == fb[name], "{name} differs between two runs");
        }
        // the page links its files relative to itself: the folder does
        // not show
        assert!(
            fa["report.html"] == fb["report.html"],
            "report.html differs"
        );
    }

    #[test]
    fn an_empty_data_set_still_gives_valid_images_with_a_no_data_note() {
        let dir = scratch("charts-empty");
        let tickets = dir.join("tickets.csv");
        std::fs::write(
            &tickets,
            "ticket_id,created_at,first_response_at,plan,priority\n",
        )
        .unwrap();
        let out = dir.join("out");
        run_ok(&[
            "run",
            "--tickets",
            tickets.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        for (name, w, h) in CHARTS {
            let img = decode_file(&out.join(name));
            assert_eq!((img.width, img.height), (w, h), "{name}");
            // the title is there ...
            assert!(img.dark_pixels((0, 0), (w, 50)) > 300, "{name}: title");
            // ... and the "No data" note in the middle, with nothing else
            let (cx, cy) = (w / 2, h / 2 + 50);
            assert!(
                img.dark_pixels((cx - 200, cy - 80), (cx + 200, cy + 80)) > 300,
                "{name}: no-data note"
            );
            assert_eq!(
                img.dark_pixels((0, 140), (w, cy - 120)),
                0,
                "{name}: empty above the note"
            );
        }
        let html = std::fs::read_to_string(out.join("report.html")).unwrap();
        assert!(html.contains("No breaches."));
    }

    /// Text comes from the font compiled into the binary: with every
    /// fontconfig and XDG lookup pointed at nothing, titles still render.
    #[test]
    fn text_renders_without_system_fonts() {
        let dir = scratch("charts-no-fonts");
        let out = dir.join("out");
        let status = Command::new(bin())
            .args(["run", "--out", out.to_str().unwrap()])
            .current_dir(ROOT)
            .env("FONTCONFIG_FILE", dir.join("missing-fonts.conf"))
            .env("FONTCONFIG_PATH", dir.join("missing"))
            .env("XDG_DATA_DIRS", dir.join("missing"))
            .env("XDG_DATA_HOME", dir.join("missing"))
            .env("HOME", &dir)
            .status()
            .unwrap();
        assert!(status.success());
        for (name, w, _) in CHARTS {
            let img = decode_file(&out.join(name));
            // the title line: dark glyph pixels, in several separate letters
            let title = img.dark_pixels((20, 10), (w / 2, 48));
            assert!(title > 400, "{name}: {title} dark pixels in the title area");
            let columns_with_ink = (20..w / 2)
                .filter(|&x| (10..48).any(|y| img.pixel(x, y)[0] < 160))
                .count();
            assert!(columns_with_ink > 150, "{name}: {columns_with_ink}");
        }
    }

    #[test]
    fn no_charts_skips_the_charts_and_the_page_and_nothing_else() {
        let dir = scratch("no-charts");
        let (with, without) = (dir.join("with"), dir.join("without"));
        run_ok(&["run", "--out", with.to_str().unwrap()]);
        run_ok(&["run", "--no-charts", "--out", without.to_str().unwrap()]);
        let mut expected = files(&with);
        for (name, _, _) in CHARTS {
            assert!(expected.remove(name).is_some(), "{name}");
        }
        let page = expected.remove("report.html");
        assert!(page.is_some(), "report.html");
        let got = files(&without);
        assert_eq!(
            got.keys().collect::<Vec<_>>(),
            expected.keys().collect::<Vec<_>>()
        );
        // and the other outputs are the same bytes
        for (name, bytes) in &got {
            if name != "run.json" {
                assert!(expected[name] == *bytes, "{name}");
            }
        }
    }
}

mod html {
    use super::*;

    /// The text of each cell of each row of the table with `id`, up to
    /// the first tag inside the cell (a readable duration may follow).
    pub(super) fn table(html: &str, id: &str) -> Vec<Vec<String>> {
        let start = html
            .find(&format!("<table id=\"{id}\""))
            .unwrap_or_else(|| panic!("table {id}"));
        let body = &html[start..start + html[start..].find("</table>").unwrap()];
        body.split("<tr")
            .skip(1)
            .map(|row| {
                row.split("<td")
                    .skip(1)
                    .map(|cell| {
                        let text = &cell[cell.find('>').unwrap() + 1..];
                        text[..text.find('<').unwrap()].to_string()
                    })
                    .collect()
            })
            .collect()
    }

    pub(super) fn csv_rows(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
        let mut rdr = csv::Reader::from_path(path).unwrap();
        let header = rdr.headers().unwrap().iter().map(String::from).collect();
        let rows = rdr
            .records()
            .map(|r| r.unwrap().iter().map(String::from).collect())
            .collect();
        (header, rows)
    }

    fn check_summary_table(out: &Path) -> String {
        let html = std::fs::read_to_string(out.join("report.html")).unwrap();
        let (header, rows) = csv_rows(&out.join("summary.csv"));
        let start = html.find("<table id=\"summary-table\"").unwrap();
        let head_row = &html[start..start + html[start..].find("</tr>").unwrap()];
        let shown: Vec<String> = head_row
            .split("<th>")
            .skip(1)
            .map(|c| c[..c.find("</th>").unwrap()].replace("<wbr>", ""))
            .collect();
        assert_eq!(shown, header);
        let cells: Vec<Vec<String>> = table(&html, "summary-table")
            .into_iter()
            .filter(|r| !r.is_empty())
            .collect();
        assert_eq!(cells, rows);
        html
    }

    #[test]
    fn the_summary_table_equals_summary_csv_on_the_worked_fixture() {
        let out = scratch("html-worked");
        run_ok(&[
            "run",
            "--tickets",
            &fixture("worked/tickets.csv"),
            "--changes",
            &fixture("worked/changes.csv"),
            "--out",
            out.to_str().unwrap(),
        ]);
        let html = check_summary_table(&out);
        // the one ticket, P1 downgraded to P3, answered 13:00 CET: met under
        // `current`, shown as 100.00% for Advanced P3
        assert!(
            html.contains("<span class=\"big\">100.00%</span>"),
            "headline"
        );
        assert!(html.contains("No breaches."));
    }

    #[test]
    fn figures_on_the_page_equal_the_csvs_for_the_sample_data() {
        let out = scratch("html-sample");
        run_ok(&["run", "--out", out.to_str().unwrap()]);
        let html = check_summary_table(&out);
        let (header, rows) = csv_rows(&out.join("summary.csv"));
        let col = |name: &str| header.iter().position(|h| h == name).unwrap();
        // headline per plan and priority: summed counts, rounded like
        // attainment_pct
        let mut sums: BTreeMap<(String, String), (u64, u64)> = BTreeMap::new();
        for r in &rows {
            if r[col("attainment_pct")].is_empty() {
                continue;
            }
            let n = |c: &str| r[col(c)].parse::<u64>().unwrap();
            let e = sums
                .entry((r[col("plan")].clone(), r[col("priority")].clone()))
                .or_default();
            e.0 += n("met");
            e.1 += n("met") + n("breached") + n("open_breached");
        }
        assert!(!sums.is_empty());
        for ((plan, priority), (met, den)) in sums {
            let pct = sla_report::aggregate::attainment_hundredths(met, den)
                .map(sla_report::aggregate::percent_text)
                .unwrap();
            let cell = format!(
                "<span class=\"big\">{pct}%</span><span class=\"sub\">{met} met of {den}</span>"
            );
            assert!(html.contains(&cell), "{plan} P{priority}: {cell}");
        }
        // the worst breaches: the 20 largest -margin_s / target_s of
        // tickets.csv
        let (th, tickets) = csv_rows(&out.join("tickets.csv"));
        let tc = |name: &str| th.iter().position(|h| h == name).unwrap();
        let late = |t: &Vec<String>| -> (i128, i128) {
            let n = |c: &str| t[tc(c)].parse::<i128>().unwrap();
            (-n("margin_s"), n("target_s"))
        };
        let mut breached: Vec<&Vec<String>> = tickets
            .iter()
            .filter(|t| matches!(t[tc("status")].as_str(), "breached" | "open_breached"))
            .collect();
        breached.sort_by(|a, b| {
            let ((la, ta), (lb, tb)) = (late(a), late(b));
            (lb * ta).cmp(&(la * tb)).then(lb.cmp(&la))
        });
        let late = breached.clone();
        let worst = late[0];
        let shown = table(&html, "worst-breaches");
        assert_eq!(shown.len() - 1, 20.min(late.len()));
        assert_eq!(shown[1][1], worst[tc("ticket_id")]);
        assert_eq!(shown[1][5], worst[tc("deadline")]);
        let late_s: i64 = -worst[tc("margin_s")].parse::<i64>().unwrap();
        assert!(
            html.contains(&format!("{late_s} s</span>")),
            "late by {late_s} s"
        );
        // rejects: count and path
        let (_, rejects) = csv_rows(&out.join("rejects.csv"));
        assert!(html.contains(&format!("<b>{} rows rejected</b>", rejects.len())));
        assert!(html.contains("<a href=\"rejects.csv\"><code>rejects.csv</code></a>"));
        assert!(!html.contains(out.to_str().unwrap()));
        // self-contained: the charts are inline, nothing is fetched
        assert_eq!(html.matches("src=\"data:image/png;base64,").count(), 3);
        assert!(!html.contains("<script"));
        assert!(!html.contains("http://") && !html.contains("https://"));
    }

    /// Opens the page in headless Chromium and takes a screenshot: the page
    /// renders, and its embedded charts are drawn (their colours are in
    /// the screenshot). Skipped with a note when Chromium is missing, except
    /// under CI, where `.ci/run` installs it.
    #[test]
    fn the_page_renders_in_headless_chromium() {
        let Some(chromium) = tool(&["chromium", "chromium-browser"], "--version", "chromium")
        else {
            return;
        };
        let dir = scratch("html-chromium");
        let out = dir.join("out");
        run_ok(&["run", "--out", out.to_str().unwrap()]);
        let shot = dir.join("screenshot.png");
        render(chromium, &out.join("report.html"), &shot);
        let img = decode_file(&shot);
        assert_eq!(img.width, 1280);
        // vermillion of the P1 lines and blue of the heatmap come only from
        // the embedded charts
        let near = |c: [u8; 3], t: [u8; 3]| {
            c.iter()
                .zip(t)
                .all(|(&a, b)| (a as i32 - b as i32).abs() < 12)
        };
        let p1 = img.rgb.iter().filter(|&&c| near(c, [213, 94, 0])).count();
        assert!(p1 > 500, "{p1} chart-coloured pixels in the screenshot");
        assert!(
            img.dark_pixels((0, 0), (1280, 120)) > 1000,
            "the page title"
        );
    }

    /// The text of each page of a PDF, in reading layout.
    fn pdf_pages(pdf: &Path) -> Vec<String> {
        let out = Command::new("pdftotext")
            .args(["-layout", pdf.to_str().unwrap(), "-"])
            .output()
            .unwrap();
        assert!(out.status.success(), "pdftotext failed");
        let text = String::from_utf8(out.stdout).unwrap();
        let mut pages: Vec<String> = text.split('\x0c').map(str::to_string).collect();
        if pages.last().is_some_and(|p| p.trim().is_empty()) {
            pages.pop();
        }
        pages
    }

    /// Prints the sample report to PDF the way a reader would (Chromium's
    /// print-to-PDF) and reads the pages back: A4, no navigation, each
    /// chart on one page, the monthly summary's header on every page its
    /// rows are on, and no summary row cut from its second line.
    #[test]
    fn the_page_prints_on_a4_with_headers_repeated_and_nothing_cut() {
        let Some(chromium) = tool(&["chromium", "chromium-browser"], "--version", "chromium")
        else {
            return;
        };
        let (Some(_), Some(_)) = (
            tool(&["pdftotext"], "-v", "poppler-utils"),
            tool(&["pdfimages"], "-v", "poppler-utils"),
        ) else {
            return;
        };
        let dir = scratch("html-print");
        let out = dir.join("out");
        run_ok(&["run", "--out", out.to_str().unwrap()]);
        let pdf = dir.join("report.pdf");
        render(chromium, &out.join("report.html"), &pdf);

        let info = Command::new("pdfinfo")
            .args(["-f", "1", "-l", "1000", pdf.to_str().unwrap()])
            .output()
            .unwrap();
        let info = String::from_utf8(info.stdout).unwrap();
        let sizes: Vec<&str> = info
            .lines()
            .filter(|l| l.starts_with("Page ") && l.contains(" size: "))
            .collect();
        assert!(sizes.len() >= 3, "{info}");
        assert!(sizes.iter().all(|l| l.ends_with("(A4)")), "{info}");

        // a chart cut across pages would be drawn on both of them
        let images = Command::new("pdfimages")
            .args(["-list", pdf.to_str().unwrap()])
            .output()
            .unwrap();
        let images = String::from_utf8(images.stdout).unwrap();
        let objects: Vec<&str> = images
            .lines()
            .skip(2)
            .map(|l| l.split_whitespace().nth(10).unwrap())
            .collect();
        assert_eq!(objects.len(), 3, "{images}");
        let mut distinct = objects.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(distinct.len(), 3, "a chart is on two pages:\n{images}");

        let pages = pdf_pages(&pdf);
        assert_eq!(pages.len(), sizes.len());
        let is_row = |l: &str| {
            let mut w = l.split_whitespace();
            matches!(
                (w.next(), w.next(), w.next()),
                (Some(m), Some("Basic" | "Professional" | "Advanced"), Some("1" | "2" | "3"))
                    if m.len() == 7 && m.starts_with("2026-")
            )
        };
        let mut rows = 0;
        for (n, page) in pages.iter().enumerate() {
            assert!(
                !page.contains("Input and rejects"),
                "navigation on page {}",
                n + 1
            );
            let lines: Vec<&str> = page.lines().filter(|l| !l.trim().is_empty()).collect();
            let on_page = lines.iter().filter(|l| is_row(l)).count();
            if on_page == 0 {
                continue;
            }
            rows += on_page;
            assert!(
                page.contains("attainment_"),
                "page {} has summary rows but not the table's header:\n{page}",
                n + 1
            );
            // a row with an attainment has its times in hours below: the
            // next line, on the same page
            for (i, l) in lines.iter().enumerate() {
                if is_row(l) && l.contains('.') {
                    let next = lines.get(i + 1).copied().unwrap_or("");
                    assert!(
                        next.contains('m') && !is_row(next),
                        "page {}: the row {l:?} is cut from its second line",
                        n + 1
                    );
                }
            }
        }
        let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
        assert_eq!(rows, summary.lines().count() - 1, "summary rows in the PDF");
    }
}

mod committed {
    use super::*;

    /// `reports/` is the report of `sample-data/` made by this build: a
    /// fresh run with no flags (in a copy of the sample data, so that the
    /// paths written into run.json and report.html are the same) must give
    /// the very same files.
    #[test]
    fn the_committed_report_is_up_to_date() {
        let dir = scratch("committed");
        std::fs::create_dir_all(dir.join("sample-data")).unwrap();
        for name in ["tickets.csv", "priority_changes.csv"] {
            std::fs::copy(
                Path::new(ROOT).join("sample-data").join(name),
                dir.join("sample-data").join(name),
            )
            .unwrap();
        }
        let out = sla_in(&dir, &["run"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let fresh = files(&dir.join("reports"));
        let mut committed = files(&Path::new(ROOT).join("reports"));
        // screenshots of pages for the README (`report-sv.png`): no run
        // writes them
        committed.retain(|name, _| !(name.starts_with("report-") && name.ends_with(".png")));
        assert_eq!(
            committed.keys().collect::<Vec<_>>(),
            fresh.keys().collect::<Vec<_>>(),
            "files in reports/"
        );
        for (name, bytes) in &fresh {
            assert!(
                committed[name] == *bytes,
                "reports/{name} is stale: regenerate with `cargo run --release -- run` and commit it"
            );
        }
    }
}

mod stale {
    use super::*;

    /// A later run without charts or Parquet must not leave the earlier
    /// run's charts, page or Parquet files beside its fresh CSVs.
    #[test]
    fn optional_outputs_of_an_earlier_run_do_not_outlive_it() {
        let out = scratch("stale-optional");
        let o = out.to_str().unwrap();
        let worked = [
            "--tickets",
            &fixture("worked/tickets.csv"),
            "--changes",
            &fixture("worked/changes.csv"),
        ];
        let mut first = vec!["run", "--parquet", "--out", o];
        first.extend(worked);
        run_ok(&first);
        for name in [
            "report.html",
            "attainment.png",
            "tickets.parquet",
            "summary.parquet",
        ] {
            assert!(out.join(name).is_file(), "{name} after the first run");
        }
        let mut second = vec!["run", "--no-charts", "--out", o];
        second.extend(worked);
        run_ok(&second);
        for name in [
            "report.html",
            "attainment.png",
            "tickets.parquet",
            "summary.parquet",
        ] {
            assert!(!out.join(name).exists(), "{name} outlived its run");
        }
        assert!(out.join("summary.csv").is_file());
    }
}

/// What the page says about what it covers (issue 14, "A report that
/// tells the truth"), on `tests/fixtures/page/` (see its README).
mod truth {
    use super::html::{csv_rows, table};
    use super::*;

    /// Runs the page fixture with `extra` flags into `out`; the page.
    fn page_run(out: &Path, extra: &[&str]) -> String {
        let mut args = vec![
            "run",
            "--tickets",
            "tests/fixtures/page/tickets.csv",
            "--changes",
            "tests/fixtures/page/changes.csv",
            "--input-tz",
            "Europe/Bratislava",
            "--as-of",
            "2026-03-20T00:00:00+01:00",
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend(extra);
        run_ok(&args);
        std::fs::read_to_string(out.join("report.html")).unwrap()
    }

    /// The text of the element with `id`, tags taken out.
    fn text_of(html: &str, id: &str) -> String {
        let start = html
            .find(&format!("id=\"{id}\""))
            .unwrap_or_else(|| panic!("#{id}"));
        let start = start + html[start..].find('>').unwrap() + 1;
        let end = start + html[start..].find("</p>").unwrap();
        let mut text = String::new();
        let mut in_tag = false;
        for c in html[start..end].chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => text.push(c),
                _ => {}
            }
        }
        text
    }

    /// Pixels of `img` within 12 of `color` in every channel.
    fn count_near(img: &Image, color: [u8; 3]) -> usize {
        img.rgb
            .iter()
            .filter(|c| {
                c.iter()
                    .zip(color)
                    .all(|(&a, b)| (a as i32 - b as i32).abs() < 12)
            })
            .count()
    }

    const NOT_SELECTED_GREY: [u8; 3] = [236, 236, 236];

    #[test]
    fn the_period_line_states_exactly_what_was_selected() {
        let dir = scratch("truth-period");
        let cases: [(&str, &[&str], &str); 4] = [
            (
                "all",
                &[],
                "Period: 2026-01 to 2026-03 (every ticket of the files, no period selected; month of ticket creation in Europe/Bratislava)",
            ),
            (
                "months",
                &["--month", "2026-01", "--month", "2026-03"],
                "Period: tickets created 2026-01 and 2026-03 (selected with --month; dates of ticket creation in Europe/Bratislava)",
            ),
            (
                "dates",
                &["--from", "2026-03-01", "--until", "2026-03-15"],
                "Period: tickets created 2026-03-01 to 2026-03-15 (selected with --from and --until, both days included; dates of ticket creation in Europe/Bratislava)",
            ),
            (
                "from",
                &["--from", "2026-02-01"],
                "Period: tickets created from 2026-02-01 (selected with --from; dates of ticket creation in Europe/Bratislava)",
            ),
        ];
        for (name, flags, line) in cases {
            let out = dir.join(name);
            let html = page_run(&out, flags);
            assert_eq!(text_of(&html, "period"), line, "{name}");
            // the charts mark February, which --month left out, as not
            // selected (a grey band in each panel), and nothing else
            let grey = |chart: &str| {
                let img = decode_file(&out.join(chart));
                img.rgb.iter().filter(|&&c| c == NOT_SELECTED_GREY).count()
            };
            for chart in ["attainment.png", "reclassifications.png"] {
                let n = grey(chart);
                if name == "months" {
                    assert!(n > 20_000, "{name} {chart}: {n} grey pixels");
                } else {
                    assert!(n < 500, "{name} {chart}: {n} grey pixels");
                }
            }
            assert!(html.contains("a grey band is a month the period selection left out"));
        }
    }

    #[test]
    fn the_page_accounts_for_every_record_read() {
        let out = scratch("truth-identity");
        let html = page_run(&out, &["--month", "2026-01", "--month", "2026-03"]);
        let identity = &html[html.find("<ul id=\"identity\">").unwrap()..];
        let identity = &identity[..identity.find("</ul>").unwrap()];
        assert!(
            identity.contains("<b>Ticket rows:</b> 10 read = 7 accepted + 1 rejected + 1 skipped (after as-of) + 1 outside the period."),
            "{identity}"
        );
        assert!(
            identity.contains("<b>Priority-change rows:</b> 5 read = 3 accepted + 0 rejected + 1 skipped (after as-of) + 1 outside the period."),
            "{identity}"
        );
        // every file's row adds up, and agrees with run.json
        let rows = table(&html, "input-files");
        let files = json(&out)["files"].as_array().unwrap().clone();
        assert_eq!(rows.len() - 1, files.len());
        for (row, file) in rows[1..].iter().zip(&files) {
            let n: Vec<u64> = row[2..7].iter().map(|c| c.parse().unwrap()).collect();
            assert_eq!(n[0], n[1] + n[2] + n[3] + n[4], "{row:?}");
            for (v, key) in n.iter().zip([
                "records_read",
                "records_accepted",
                "records_rejected",
                "records_skipped",
                "records_outside_period",
            ]) {
                assert_eq!(file[key].as_u64(), Some(*v), "{key}");
            }
        }
        // without a selection nothing is outside, and the page says no more
        let all = page_run(&scratch("truth-identity-all"), &[]);
        assert!(all.contains(
            "<b>Ticket rows:</b> 10 read = 8 accepted + 1 rejected + 1 skipped (after as-of)."
        ));
        assert!(!all.contains("outside the period</th>"));
    }

    #[test]
    fn worst_breaches_rank_by_lateness_relative_to_the_target_with_the_clock_and_local_times() {
        let out = scratch("truth-breaches");
        let html = page_run(&out, &[]);
        let shown = table(&html, "worst-breaches");
        let ids: Vec<&str> = shown[1..].iter().map(|r| r[1].as_str()).collect();
        // P-1 is 10 business hours late on 9, P-2 5 hours on a 1-hour 24/7
        // target: P-2 is the worse breach
        assert_eq!(ids, ["P-2", "P-1", "P-10", "P-3"]);
        let mut at = 0;
        for times in ["5.0", "1.1", "0.7", "0.5"] {
            let cell = format!("<b>{times}\u{d7}</b> the target");
            let found = html[at..]
                .find(&cell)
                .unwrap_or_else(|| panic!("{cell} after {at}"));
            at += found + 1;
        }
        assert!(html.contains("<b>5.0\u{d7}</b> the target<span class=\"sub\">5h 00m of 24/7 time</span><span class=\"sub\">18000 s</span>"));
        assert!(html.contains("<b>1.1\u{d7}</b> the target<span class=\"sub\">10h 00m of business time</span><span class=\"sub\">36000 s</span>"));
        // the response in UTC and in the policy zone
        assert!(html.contains(
            "<td>2026-01-13T15:00:00Z<span class=\"sub\">2026-01-13 16:00 CET</span></td>"
        ));
    }

    #[test]
    fn the_heatmap_says_whose_changes_it_counts_and_the_page_splits_them() {
        let out = scratch("truth-who");
        let html = page_run(&out, &[]);
        assert!(html.contains("the effective priority changes, whoever made them"));
        assert!(!html.contains("which priority changes agents made"));
        // plan, tickets, reclassified, share, changes, down, up, agent,
        // customer, other
        let rows = table(&html, "reclassification-plans");
        let by_who: Vec<(&str, &[String])> = rows[1..]
            .iter()
            .map(|r| (r[0].as_str(), &r[7..10]))
            .collect();
        assert_eq!(
            by_who,
            [
                ("Basic", &["0".to_string(), "1".into(), "0".into()][..]),
                (
                    "Professional",
                    &["1".to_string(), "0".into(), "0".into()][..]
                ),
                ("Advanced", &["1".to_string(), "0".into(), "1".into()][..]),
            ]
        );
    }

    /// Where a chart draws the point of `color` inside the plot
    /// `[x0, x1)`: its height between the axis (0) and the 100% line (1).
    fn height_of_point(img: &Image, color: [u8; 3], (x0, x1): (u32, u32)) -> f64 {
        let near = |c: [u8; 3]| {
            c.iter()
                .zip(color)
                .all(|(&a, b)| (a as i32 - b as i32).abs() < 12)
        };
        // long dark rows: the 100% line and the x axis
        let long: Vec<u32> = (200..img.height)
            .filter(|&y| {
                (x0..x1)
                    .filter(|&x| img.pixel(x, y).iter().all(|&v| v < 80))
                    .count()
                    > ((x1 - x0) * 3 / 4) as usize
            })
            .collect();
        let (top, axis) = (*long.first().unwrap() as f64, *long.last().unwrap() as f64);
        let ys: Vec<u32> = (200..img.height)
            .flat_map(|y| {
                (x0..x1)
                    .filter(move |&x| near(img.pixel(x, y)))
                    .map(move |_| y)
            })
            .collect();
        assert!(!ys.is_empty(), "no point of {color:?}");
        let y = ys.iter().map(|&y| y as f64).sum::<f64>() / ys.len() as f64;
        (axis - y) / (axis - top)
    }

    #[test]
    fn the_attainment_axis_starts_at_zero() {
        let out = scratch("truth-axis");
        page_run(&out, &["--month", "2026-03"]);
        // Advanced P2 in March: 1 met of 2, 50%, halfway up (a 40..100%
        // axis drew it a sixth of the way up)
        let img = decode_file(&out.join("attainment.png"));
        let h = height_of_point(&img, [0, 114, 178], (700, 1150));
        assert!((h - 0.5).abs() < 0.03, "50% drawn at {h:.3} of the axis");
    }

    #[test]
    fn plans_and_priorities_do_not_share_a_colour() {
        let out = scratch("truth-colours");
        page_run(&out, &[]);
        // the priorities' colours (P1 vermillion, P2 blue, P3 green) are
        // on the attainment chart, and none of them on the plans' lines
        let attainment = decode_file(&out.join("attainment.png"));
        let reclass = decode_file(&out.join("reclassifications.png"));
        for color in [[213, 94, 0], [0, 114, 178], [0, 158, 115]] {
            assert!(count_near(&attainment, color) > 100, "{color:?}");
            assert_eq!(
                count_near(&reclass, color),
                0,
                "{color:?} on the plans' chart"
            );
        }
        // the plans' own colours are there
        for color in [[119, 119, 119], [170, 68, 153], [153, 153, 51]] {
            assert!(count_near(&reclass, color) > 100, "{color:?}");
        }
    }

    #[test]
    fn the_page_has_the_policy_comparison_mode_sensitive_tickets_and_breakdowns() {
        let out = scratch("truth-sections");
        let html = page_run(&out, &[]);
        for link in [
            "policy_comparison.csv",
            "mode_sensitive_tickets.csv",
            "summary_by_group.csv",
            "summary_by_assignee.csv",
            "reclassification_summary.csv",
        ] {
            assert!(html.contains(&format!("<a href=\"{link}\">")), "{link}");
            assert!(out.join(link).is_file(), "{link}");
        }
        // per plan and mode: the sums of policy_comparison.csv
        let (header, rows) = csv_rows(&out.join("policy_comparison.csv"));
        let col = |n: &str| header.iter().position(|h| h == n).unwrap();
        let shown = table(&html, "comparison-table");
        assert_eq!(shown[0].len(), 0, "header row has no td");
        let plans: Vec<&str> = shown[1..].iter().map(|r| r[0].as_str()).collect();
        assert_eq!(plans, ["Professional", "Advanced"]);
        assert!(html.contains("<th><code>current</code> (this report)</th>"));
        let summary = csv_rows(&out.join("summary.csv"));
        let scol = |n: &str| summary.0.iter().position(|h| h == n).unwrap();
        for row in &shown[1..] {
            // current: the run's own summary
            let (met, counted) = summary
                .1
                .iter()
                .filter(|r| r[scol("plan")] == row[0])
                .map(|r| {
                    let n = |c: &str| r[scol(c)].parse::<u64>().unwrap();
                    (n("met"), n("met") + n("breached") + n("open_breached"))
                })
                .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
            let pct = sla_report::aggregate::attainment_hundredths(met, counted)
                .map(sla_report::aggregate::percent_text)
                .unwrap();
            assert_eq!(row[1], "", "bold value follows");
            let cell = format!("<b>{pct}%</b><span class=\"sub\">{met} met of {counted}</span>");
            assert!(html.contains(&cell), "{}: {cell}", row[0]);
            assert!(rows.iter().any(|r| r[col("plan")] == row[0]));
        }
        // Professional under initial: P-1 breached, P-4 breached as P1
        assert!(html.contains("<b>0.00%</b><span class=\"sub\">0 met of 2</span>"));
        let sensitive = table(&html, "mode-sensitive-table");
        let ids: Vec<&str> = sensitive[1..].iter().map(|r| r[0].as_str()).collect();
        assert_eq!(ids, ["P-3", "P-4"]);
        assert_eq!(
            sensitive[2][4..],
            ["P3 met", "P3 met", "P3 met", "P1 breached"]
        );
        assert!(html.contains("<b>2 tickets</b> with a status that depends on the rule"));
        // by group: (empty) first, then L1 and L2, tickets of all plans
        let groups = table(&html, "by-group");
        let g: Vec<(&str, &str)> = groups[1..]
            .iter()
            .map(|r| (r[0].as_str(), r[1].as_str()))
            .collect();
        assert_eq!(g, [("", "1"), ("L1", "3"), ("L2", "4")]);
        assert!(html.contains("<td><i>(empty)</i></td>"));
        let assignees = table(&html, "by-assignee");
        assert_eq!(assignees.len() - 1, 3);
    }

    #[test]
    fn the_page_links_its_files_relative_to_itself_and_names_no_output_folder() {
        let dir = scratch("truth-relative");
        let (a, b) = (dir.join("first"), dir.join("elsewhere/second"));
        let pa = page_run(&a, &[]);
        let pb = page_run(&b, &[]);
        assert!(
            !pa.contains(a.to_str().unwrap()),
            "the --out path is on the page"
        );
        assert!(pa.contains("<a href=\"rejects.csv\"><code>rejects.csv</code></a>"));
        for href in pa.split("href=\"").skip(1) {
            let target = &href[..href.find('"').unwrap()];
            assert!(
                target.starts_with('#') || (!target.contains('/') && !target.contains(':')),
                "{target}"
            );
        }
        // so the page, and run.json with its digest, do not depend on --out
        assert_eq!(pa, pb);
        assert_eq!(read(&a, "run.json"), read(&b, "run.json"));
    }
}

/// `--lang sv`: the page and the charts in Swedish, the files unchanged.
mod swedish {
    use super::*;
    use sla_report::lang::{words, SWEDISH_ALSO_ENGLISH};
    use std::collections::BTreeSet;

    /// The runs the Swedish page is checked on: between them every section
    /// of the page (a period, rejects, skipped rows, breakdowns,
    /// reclassifications, mode-sensitive tickets, customers, open tickets
    /// in time and late).
    fn runs() -> [(&'static str, Vec<String>); 3] {
        let page = |f: &str| fixture(&format!("page/{f}"));
        [
            (
                "page",
                [
                    "--tickets",
                    &page("tickets.csv"),
                    "--changes",
                    &page("changes.csv"),
                    "--input-tz",
                    "Europe/Bratislava",
                    "--as-of",
                    "2026-03-20T00:00:00+01:00",
                    "--month",
                    "2026-01",
                    "--month",
                    "2026-03",
                ]
                .map(String::from)
                .to_vec(),
            ),
            (
                "organizations",
                [
                    "--tickets",
                    &fixture("organizations/tickets.csv"),
                    "--as-of",
                    "2026-03-03T00:00:00Z",
                ]
                .map(String::from)
                .to_vec(),
            ),
            (
                "customer",
                [
                    "--tickets",
                    &fixture("organizations/tickets.csv"),
                    "--as-of",
                    "2026-03-03T00:00:00Z",
                    "--per-customer",
                ]
                .map(String::from)
                .to_vec(),
            ),
        ]
    }

    /// The page a run is checked on: a customer's own page for the
    /// `--per-customer` run.
    fn page_of(name: &str, out: &Path) -> PathBuf {
        match name {
            "customer" => out.join("customers/acme-inc/report.html"),
            _ => out.join("report.html"),
        }
    }

    /// Names in the fixtures and the built-in policy that the page shows
    /// as written in any language: plans, product stages, groups,
    /// assignees and organizations; and the input column a customer's page
    /// names (`organization`).
    const DATA: &[&str] = &[
        "organization",
        "basic",
        "professional",
        "advanced",
        "beta",
        "preview",
        "ana",
        "ben",
        "jana",
        "acme",
        "inc",
        "quoted",
        "ltd",
        "con",
        "åre",
        "bygg",
        "ab",
    ];

    /// Runs `args` into `dir/LANG` for both languages; the two folders.
    fn run_both(dir: &Path, args: &[String]) -> (PathBuf, PathBuf) {
        let (en, sv) = (dir.join("en"), dir.join("sv"));
        for (out, lang) in [(&en, "en"), (&sv, "sv")] {
            let mut a = vec!["run", "--out", out.to_str().unwrap(), "--lang", lang];
            a.extend(args.iter().map(String::as_str));
            run_ok(&a);
        }
        (en, sv)
    }

    /// The text of an HTML page, tags and the style sheet taken out.
    fn page_text(html: &str) -> String {
        let body = &html[html.find("</style>").unwrap()..];
        let mut text = String::new();
        let mut in_tag = false;
        for c in body.chars() {
            match c {
                '<' => {
                    in_tag = true;
                    text.push(' ');
                }
                '>' => in_tag = false,
                c if !in_tag => text.push(c),
                _ => {}
            }
        }
        text.replace("&nbsp;", " ")
            .replace("&amp;", "&")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
    }

    /// The English words that must not be on a Swedish page: the words of
    /// the English page of the same run, and a few common ones, less the
    /// words Swedish writes the same and the fixtures' names.
    fn english_words(en_html: &str) -> BTreeSet<String> {
        let mut english = words(&page_text(en_html));
        english.extend(
            [
                "the",
                "of",
                "tickets",
                "breached",
                "attainment",
                "met",
                "open",
                "priority",
            ]
            .map(String::from),
        );
        english
            .retain(|w| !SWEDISH_ALSO_ENGLISH.contains(&w.as_str()) && !DATA.contains(&w.as_str()));
        english
    }

    #[test]
    fn the_csv_files_do_not_change_with_the_language() {
        let dir = scratch("swedish-files");
        for (name, args) in runs() {
            let (en, sv) = run_both(&dir.join(name), &args);
            let (en, sv) = (files(&en), files(&sv));
            assert_eq!(en.keys().collect::<Vec<_>>(), sv.keys().collect::<Vec<_>>());
            for (file, bytes) in &en {
                if file.ends_with(".csv") {
                    assert!(sv[file] == *bytes, "{name}: {file} differs with --lang sv");
                }
            }
            for file in ["report.html", "attainment.png"] {
                assert!(sv[file] != en[file], "{name}: {file} is the same in both");
            }
        }
    }

    #[test]
    fn an_unknown_language_is_a_usage_error_that_lists_the_languages() {
        let out = sla(&["run", "--lang", "de", "--out", "unused"]);
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("[possible values: en, sv]"), "{err}");
    }

    /// The headline in Swedish: the same figures as summary.csv, with a
    /// decimal comma and a no-break space before `%`, and the built-in
    /// priorities under the vendor's Swedish names.
    #[test]
    fn the_swedish_headline_writes_numbers_and_priorities_as_swedes_do() {
        let dir = scratch("swedish-headline");
        let (_, args) = &runs()[0];
        let (_, sv) = run_both(&dir, args);
        let html = std::fs::read_to_string(sv.join("report.html")).unwrap();
        assert!(html.contains("<html lang=\"sv\">"));
        // Advanced P1 in the page fixture: P-2 breached, P-3 breached (of the
        // selected months, P-3 is February's: left out): 0 of 1
        assert!(
            html.contains(
                "<span class=\"big\">0,00\u{a0}%</span><span class=\"sub\">0 inom tid av 1</span>"
            ),
            "{html}"
        );
        for name in [
            "P1 Affärskritiskt",
            "P2 Degraderad service",
            "P3 Allmänna problem",
        ] {
            assert!(html.contains(name), "{name}");
        }
        assert!(!html.contains("Business Critical"));
    }

    /// Renders the Swedish page of each run in headless Chromium, prints it
    /// to PDF and reads the text back (pdftotext): no word of the English
    /// page (less those Swedish shares, and names) is left on it.
    #[test]
    fn the_swedish_page_renders_in_chromium_with_no_english_word_left() {
        let Some(chromium) = tool(&["chromium", "chromium-browser"], "--version", "chromium")
        else {
            return;
        };
        let Some(pdftotext) = tool(&["pdftotext"], "-v", "poppler-utils") else {
            return;
        };
        let dir = scratch("swedish-chromium");
        for (name, args) in runs() {
            let (en, sv) = run_both(&dir.join(name), &args);
            let english = english_words(&std::fs::read_to_string(page_of(name, &en)).unwrap());
            assert!(english.contains("deadline") && english.contains("reclassification"));
            let pdf = dir.join(format!("{name}.pdf"));
            render(chromium, &page_of(name, &sv), &pdf);
            let out = Command::new(pdftotext).arg(&pdf).arg("-").output().unwrap();
            assert!(out.status.success(), "pdftotext {}", pdf.display());
            let text = String::from_utf8(out.stdout).unwrap();
            assert!(text.contains("Måluppfyllelse"), "{name}: {text}");
            let swedish = words(&text);
            let left: Vec<&String> = swedish.intersection(&english).collect();
            assert!(
                left.is_empty(),
                "{name}: English words on the Swedish page: {left:?}"
            );
        }
    }
}
