//! The driver: the [`Engine`] as the page runs it — every [`Request`] handled here, in one place, and the
//! work paced into slices of time. The page's host (`www/host.js`) runs a driver in a Web Worker or, where no
//! worker can start, in slices of the main thread's frames: it hands over requests as they come and calls
//! [`Driver::pump`] between them; both modes share every line here, and the engine's schedule depends on
//! counted work only, so they give the same numbers.
//!
//! **Answers.** Most requests are answered at once. A [`Request::Step`] is answered when its steps are taken
//! and measured (step requests are worked on in the order they came, each answered in turn); [`Request::Settle`] and [`Request::ExportRun`] when the current step is measured (other
//! requests are answered meanwhile); a request that needs a table the engine lacks is answered
//! [`Message::NeedsTable`], and the host provides the table and asks again. A request that changes the run
//! answers a pending step request with the steps it took.
//!
//! **The main thread.** There one unit of work (a step, a slice of a measurement) must not block the page
//! for long: a run whose units are too heavy for it ([`crate::snapshot::Cost::too_heavy_for_main_thread`]) is held —
//! refused with a message, shown by a banner — until the user lets it run anyway.

use crate::check::{CheckJob, CheckOptions};
use crate::data::{Source, DIGITS};
use crate::engine::{Cursor, Engine, EngineError};
use crate::netfile::NetworkFile;
use crate::presets;
use crate::request::{Message, PauseReason, Reply, Request};
use crate::snapshot::Snapshot;

/// Where the page serves the bundled digits, relative to the page.
pub const DIGITS_PATH: &str = "data/digits.csv.gz";
/// The largest network's file read on the page's main thread (larger ones only where a worker runs).
pub const MAIN_THREAD_FILE_BYTES: usize = 32 << 20;
/// What training asks while a network's file is shown.
const SHOWING_A_FILE: &str = "a network's file is shown: there is nothing to train. Press \"Back to the lab\" (or \
                              pick an experiment) to return to the run";
/// The refusal a held run gets when asked to train.
const HELD: &str = "this run is too heavy to train on the page's main thread (no Web Worker could start here): \
                    reduce the points or the layers' widths, or press \"Run anyway\"";

/// A step request being worked on.
struct StepJob {
    id: u64,
    remaining: u64,
    taken: u64,
    /// Play once the steps are taken (a restored run that was playing).
    then_play: bool,
}

/// A request answered once the current step is measured.
enum Waiter {
    Settle(u64),
    ExportRun(u64),
}

/// The engine with its requests and its pacing (see the module docs).
pub struct Driver {
    engine: Engine,
    heavy_allowed: bool,
    held: bool,
    playing: bool,
    steps_per_second: f64,
    allowance: f64,
    last_pump: Option<f64>,
    /// Step requests in the order they came: the first is being worked on.
    step_jobs: std::collections::VecDeque<StepJob>,
    settled: bool,
    waiters: Vec<Waiter>,
    outbox: Vec<Message>,
    sent: Cursor,
    on_main_thread: bool,
    /// A network's file being checked: the request to answer, its name, the job.
    checking: Option<(u64, String, CheckJob)>,
    /// A checked file's snapshot, to send once.
    check_snapshot: Option<Snapshot>,
    /// While a checked file is shown: its run number and the length of its history.
    showing: Option<(u64, usize)>,
    checks: u64,
}

impl Driver {
    /// A driver for `engine`; `on_main_thread` when it shares the page's thread.
    pub fn new(engine: Engine, on_main_thread: bool) -> Driver {
        Driver {
            engine,
            heavy_allowed: !on_main_thread,
            held: false,
            playing: false,
            steps_per_second: f64::INFINITY,
            allowance: 0.0,
            last_pump: None,
            step_jobs: std::collections::VecDeque::new(),
            settled: false,
            waiters: Vec::new(),
            outbox: Vec::new(),
            sent: Cursor::default(),
            on_main_thread,
            checking: None,
            check_snapshot: None,
            showing: None,
            checks: 0,
        }
    }

    /// Starts checking a network's file (request `id`; see [`crate::check`]): read from `files` (names and
    /// bytes), measured by slices in [`Driver::pump`], shown instead of the run when done and answered with
    /// its report. A file that cannot be read is refused whole; the run is untouched either way.
    pub fn check_files(&mut self, id: u64, files: &[(&str, &[u8])]) {
        let bytes: usize = files.iter().map(|(_, b)| b.len()).sum();
        if self.on_main_thread && bytes > MAIN_THREAD_FILE_BYTES {
            self.outbox.push(Message::error(
                id,
                format!(
                    "{} MB is more than this page reads without a background thread ({} MB; a frame sandboxed \
                     without allow-same-origin): open the full lab to check it",
                    bytes >> 20,
                    MAIN_THREAD_FILE_BYTES >> 20
                ),
            ));
            return;
        }
        let name = files.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(" + ");
        match NetworkFile::read(files) {
            Ok(file) => {
                if let Some((old, _, _)) = self.checking.take() {
                    self.outbox.push(Message::error(old, "another file was opened"));
                }
                self.playing = false;
                let options = CheckOptions::of(self.engine.session().config());
                self.checking = Some((id, name, CheckJob::new(file, options)));
            }
            Err(e) => self.outbox.push(Message::error(id, format!("{e}. Nothing was changed"))),
        }
    }

    /// Works on the check for up to `deadline` by `clock`; when it is done, its snapshot is queued and its
    /// request answered.
    fn pump_check(&mut self, clock: &dyn Fn() -> f64, deadline: f64) {
        let Some((_, _, job)) = self.checking.as_mut() else { return };
        if !job.done() {
            // The measurement proper; its finish (the views' planes) comes in a pump of its own, so that no
            // single slice holds a worker long enough to go unheard.
            while !job.advance(&mut { 2e7 }) && clock() < deadline {}
            return;
        }
        let (id, name, job) = self.checking.take().expect("a check");
        let file = job.file().clone();
        match job.finish() {
            Ok(check) => {
                self.checks += 1;
                let run = (1 << 62) | self.checks;
                let mut snapshot = check.snapshot(&file, &name);
                snapshot.run = run;
                // The controls keep showing the run's settings (the SVM's among them: the file's was fitted so).
                snapshot.config = Some(self.engine.session().config().clone());
                self.showing = Some((run, snapshot.history.len()));
                let report = snapshot.checked.as_ref().map(|c| c.report.clone()).unwrap_or_default();
                self.check_snapshot = Some(snapshot);
                self.outbox.push(Message::ok(id, Reply::Text(report)));
            }
            Err(e) => self.outbox.push(Message::error(id, format!("{name}: {e}"))),
        }
    }

    /// Returns from a shown file to the run (the next snapshot carries the run whole).
    fn leave_check(&mut self) {
        if self.showing.take().is_some() {
            self.check_snapshot = None;
            self.resend_everything();
        }
    }

    /// The engine.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Whether training is on.
    pub fn playing(&self) -> bool {
        self.playing
    }

    /// Whether the run is held as too heavy for the main thread.
    pub fn held(&self) -> bool {
        self.held && self.too_heavy()
    }

    fn too_heavy(&self) -> bool {
        !self.heavy_allowed && self.engine.cost().too_heavy_for_main_thread()
    }

    /// The messages for the host since the last call, oldest first.
    pub fn take_messages(&mut self) -> Vec<Message> {
        std::mem::take(&mut self.outbox)
    }

    /// What changed since the previous snapshot (everything after [`Driver::resend_everything`]).
    pub fn snapshot(&mut self) -> Snapshot {
        if let Some(s) = self.check_snapshot.take() {
            return s;
        }
        if let Some((run, history)) = self.showing {
            // Nothing changes while a file is shown.
            let (mut s, _) = self.engine.snapshot(&self.sent);
            s.run = run;
            s.config = None;
            s.data = None;
            s.measurement = None;
            s.history_from = history;
            s.history.clear();
            s.keyframes.clear();
            s.diverged = None;
            s.forgetting = None;
            s.forgetting_error = None;
            s.finished = false;
            s.playing = false;
            s.held = false;
            s.checking = self.checking.as_ref().map(|(_, _, j)| j.progress());
            return s;
        }
        let (mut snapshot, next) = self.engine.snapshot(&self.sent);
        self.sent = next;
        snapshot.playing = self.playing;
        snapshot.held = self.held();
        snapshot.checking = self.checking.as_ref().map(|(_, _, j)| j.progress());
        snapshot
    }

    /// Makes the next snapshot carry everything (for a page that starts afresh).
    pub fn resend_everything(&mut self) {
        self.sent = Cursor::default();
    }

    /// Whether [`Driver::pump`] has work to do.
    pub fn busy(&self) -> bool {
        self.checking.is_some()
            || self.playing
            || !self.step_jobs.is_empty()
            || !self.settled
            || !self.waiters.is_empty()
    }

    /// Handles request `id` at time `now` (milliseconds); its answer, now or later, goes to the outbox.
    pub fn request(&mut self, id: u64, request: Request, now: f64) {
        if changes_the_run(&request) {
            self.supersede();
            self.leave_check();
        }
        let answer = match self.handle(id, request, now) {
            Ok(Some(reply)) => Message::ok(id, reply),
            Ok(None) => return,
            Err(Answer::NeedsTable(name, path)) => Message::NeedsTable { id, name, path },
            Err(Answer::Error(e)) => Message::error(id, e),
        };
        self.outbox.push(answer);
    }

    /// Answers request `id` with an error at once (a request that could not even be read).
    pub fn request_failed(&mut self, id: u64, error: String) {
        self.outbox.push(Message::error(id, error));
    }

    /// Handles a request: `Ok(None)` when it is answered later.
    fn handle(&mut self, id: u64, request: Request, now: f64) -> Result<Option<Reply>, Answer> {
        let e = &mut self.engine;
        let reply = match request {
            Request::Snapshot => Reply::Done,
            Request::CancelCheck => {
                if let Some((old, name, _)) = self.checking.take() {
                    self.outbox.push(Message::error(old, format!("{name}: the check was cancelled")));
                }
                Reply::Done
            }
            Request::LeaveCheck => {
                self.leave_check();
                Reply::Done
            }
            Request::Play | Request::Step(_) if self.showing.is_some() => {
                return Err(Answer::Error(SHOWING_A_FILE.into()));
            }
            Request::Play => {
                self.refuse_if_held()?;
                self.start_playing(now);
                Reply::Done
            }
            Request::Pause => {
                self.playing = false;
                Reply::Done
            }
            Request::Step(n) => {
                self.refuse_if_held()?;
                self.playing = false;
                self.settled = false;
                self.step_jobs.push_back(StepJob { id, remaining: n, taken: 0, then_play: false });
                return Ok(None);
            }
            Request::Settle => {
                self.waiters.push(Waiter::Settle(id));
                return Ok(None);
            }
            Request::ExportRun => {
                self.waiters.push(Waiter::ExportRun(id));
                return Ok(None);
            }
            Request::Speed(per_second) => {
                self.steps_per_second = if per_second > 0.0 { per_second } else { f64::INFINITY };
                Reply::Done
            }
            Request::AllowHeavy => {
                self.heavy_allowed = true;
                self.held = false;
                Reply::Done
            }
            Request::Reset => {
                e.reset()?;
                Reply::Done
            }
            Request::LoadPreset(name) => {
                let preset = presets::find(&name).ok_or(EngineError::UnknownPreset(name))?;
                needs(e, preset.config.data.table_name())?;
                e.load_preset(preset.name)?;
                Reply::Done
            }
            Request::SetConfig(partial) => {
                let merged = e.session().config().merged(&partial.to_string());
                if let Ok(config) = &merged {
                    needs(e, config.data.table_name())?;
                }
                let config = merged.map_err(|c| EngineError::from(crate::session::SessionError::from(c)))?;
                Reply::Flag(e.set_config(config)?)
            }
            Request::SetSource(source) => {
                if source == Source::Digits {
                    needs(e, Some(DIGITS))?;
                }
                Reply::Flag(e.set_source(source)?)
            }
            Request::AddLayer => Reply::Flag(e.add_layer()?),
            Request::AddConv => Reply::Flag(e.add_image_layer(false)?),
            Request::AddPool => Reply::Flag(e.add_image_layer(true)?),
            Request::SetLayer { layer, spec } => Reply::Flag(e.set_layer(layer, spec)?),
            Request::RemoveLayer(layer) => Reply::Flag(e.remove_layer(layer)?),
            Request::SetLayerWidth { layer, width } => Reply::Flag(e.set_layer_width(layer, width)?),
            Request::UseOwnPoints => {
                e.use_own_points()?;
                Reply::Flag(true)
            }
            Request::RetrainLastLayer => {
                e.retrain_last_layer();
                Reply::Done
            }
            Request::ImportCsv { name, text } => {
                let points = e
                    .import_csv(&name, &text)
                    .map_err(|err| Answer::Error(format!("{name}: {err}. Nothing was changed")))?;
                Reply::Imported {
                    points,
                    message: format!("Imported {points} points from {name}; inputs are standardised (switch in Data)."),
                }
            }
            Request::ProvideTable { name, text } => {
                e.provide_csv_table(&name, &text)?;
                Reply::Done
            }
            Request::AddPoint { x, y, label } => Reply::Flag(e.add_point([x, y], label)?),
            Request::RemovePoint { x, y, reach } => Reply::Flag(e.remove_point([x, y], reach)?),
            Request::ClearPoints => {
                e.clear_points()?;
                Reply::Done
            }
            Request::ExportCsv => Reply::Text(e.export_csv()),
            Request::Restore { tables, config, step, playing } => {
                for t in &tables {
                    if e.import_csv(&t.name, &t.text).is_err() {
                        // A file that no longer reads is left out; the configuration then says what is missing.
                        continue;
                    }
                }
                let merged = e.session().config().merged(&config.to_string());
                if let Ok(c) = &merged {
                    needs(e, c.data.table_name())?;
                }
                e.set_config(merged.map_err(|c| EngineError::from(crate::session::SessionError::from(c)))?)?;
                self.playing = false;
                self.settled = false;
                self.step_jobs.push_back(StepJob { id, remaining: step, taken: 0, then_play: playing });
                return Ok(None);
            }
            #[cfg(feature = "bench")]
            Request::Crash => panic!("the engine was asked to crash (a test of the page's recovery)"),
        };
        Ok(Some(reply))
    }

    /// Training is on from `now`: the steps it takes are not measured yet (a pause, or a request that waits for
    /// a measurement, measures the step reached).
    fn start_playing(&mut self, now: f64) {
        self.playing = true;
        self.settled = false;
        self.allowance = 0.0;
        self.last_pump = Some(now);
    }

    fn refuse_if_held(&mut self) -> Result<(), Answer> {
        if self.too_heavy() {
            self.held = true;
            return Err(Answer::Error(HELD.into()));
        }
        Ok(())
    }

    /// Answers the pending step requests with what each has taken (a new state supersedes them); the new
    /// state is to be measured.
    fn supersede(&mut self) {
        for job in std::mem::take(&mut self.step_jobs) {
            self.outbox.push(Message::ok(job.id, Reply::Count(job.taken)));
        }
        self.settled = false;
    }

    /// Answers the requests waiting for a measurement of the current step.
    fn answer_waiters(&mut self, settled: bool) {
        for waiter in std::mem::take(&mut self.waiters) {
            let message = match waiter {
                Waiter::Settle(id) => Message::ok(id, Reply::Flag(settled)),
                Waiter::ExportRun(id) if settled => {
                    Message::ok(id, Reply::Text(crate::export::run_json_text(&self.engine)))
                }
                Waiter::ExportRun(id) => {
                    Message::error(id, "this run is too heavy to measure on the page's main thread")
                }
            };
            self.outbox.push(message);
        }
    }

    /// Does up to `budget_ms` of work by `clock` (milliseconds): a pending step request, else training while
    /// playing, else measuring the current step. Returns whether there is more to do.
    pub fn pump(&mut self, budget_ms: f64, clock: &dyn Fn() -> f64) -> bool {
        let start = clock();
        let deadline = start + budget_ms.max(0.0);
        if self.checking.is_some() {
            self.pump_check(clock, deadline);
            return true;
        }
        if let Some(job) = self.step_jobs.front_mut() {
            let e = &mut self.engine;
            if job.remaining > 0 && e.session().diverged().is_none() && !e.finished() {
                let taken = e.run(job.remaining, clock, deadline);
                job.remaining -= taken;
                job.taken += taken;
                if taken == 0 && (e.session().diverged().is_some() || e.finished()) {
                    job.remaining = 0;
                }
            } else if e.settle(clock, deadline.max(clock() + 1.0)) {
                let job = self.step_jobs.pop_front().expect("a step job is pending");
                self.settled = true;
                self.outbox.push(Message::ok(job.id, Reply::Count(job.taken)));
                self.answer_waiters(true);
                if job.then_play {
                    self.start_playing(clock());
                }
            }
            return true;
        }
        if self.playing {
            if self.too_heavy() {
                self.playing = false;
                self.held = true;
                self.outbox.push(Message::Paused { reason: PauseReason::Heavy });
                return false;
            }
            let now = clock();
            let since = now - self.last_pump.unwrap_or(now);
            self.last_pump = Some(now);
            self.allowance =
                (self.allowance + since * self.steps_per_second / 1000.0).min((self.steps_per_second / 4.0).max(1.0));
            let max = if self.allowance.is_finite() { self.allowance.floor() as u64 } else { 1_000_000_000 };
            if max > 0 {
                let taken = self.engine.run(max, clock, deadline);
                if self.allowance.is_finite() {
                    self.allowance -= taken as f64;
                }
                if self.engine.session().diverged().is_some() {
                    self.playing = false;
                    self.outbox.push(Message::Paused { reason: PauseReason::Diverged });
                } else if self.engine.finished() {
                    self.playing = false;
                    self.outbox.push(Message::Paused { reason: PauseReason::Finished });
                }
            }
            return true;
        }
        if !self.settled || !self.waiters.is_empty() {
            if self.too_heavy() {
                self.answer_waiters(false);
                return false;
            }
            self.settled = self.settled || self.engine.settle(clock, deadline);
            if self.settled {
                self.answer_waiters(true);
            }
            return !self.settled;
        }
        false
    }
}

/// Why a request is not answered with a reply.
enum Answer {
    /// A table must be provided first (its name and where the page serves it).
    NeedsTable(String, String),
    /// A message for the user.
    Error(String),
}

impl From<EngineError> for Answer {
    fn from(e: EngineError) -> Self {
        Answer::Error(e.to_string())
    }
}

/// Asks for `table` when the engine lacks it: the digits are fetched by the host; an imported file's rows
/// are not part of a link, so its absence is an error that says so.
fn needs(engine: &Engine, table: Option<&str>) -> Result<(), Answer> {
    match table {
        Some(name) if !engine.library().has(name) => {
            if name == DIGITS {
                Err(Answer::NeedsTable(name.to_string(), DIGITS_PATH.to_string()))
            } else {
                Err(EngineError::Session(crate::data::DataError::NotLoaded(name.to_string()).into()).into())
            }
        }
        _ => Ok(()),
    }
}

/// Whether a request changes the run (answering a pending step request, and the new state to be measured).
fn changes_the_run(request: &Request) -> bool {
    matches!(
        request,
        Request::SetConfig(_)
            | Request::SetSource(_)
            | Request::LoadPreset(_)
            | Request::Reset
            | Request::ImportCsv { .. }
            | Request::AddPoint { .. }
            | Request::RemovePoint { .. }
            | Request::ClearPoints
            | Request::RetrainLastLayer
            | Request::AddLayer
            | Request::AddConv
            | Request::AddPool
            | Request::SetLayer { .. }
            | Request::RemoveLayer(_)
            | Request::SetLayerWidth { .. }
            | Request::UseOwnPoints
            | Request::Restore { .. }
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Library;

    fn driver(preset: &str) -> Driver {
        Driver::new(Engine::for_preset(preset, Library::default()).unwrap(), false)
    }

    fn run_until_idle(d: &mut Driver) -> Vec<Message> {
        let mut out = Vec::new();
        for _ in 0..100_000 {
            let more = d.pump(5.0, &|| 0.0);
            out.extend(d.take_messages());
            if !more && !d.busy() {
                break;
            }
        }
        out
    }

    /// A step request is answered once its steps are taken and the step measured; settle then answers at
    /// once; the snapshot says whether training is on.
    #[test]
    fn a_step_request_is_answered_when_measured() {
        let mut d = driver("moons");
        d.request(1, Request::Step(40), 0.0);
        assert!(d.take_messages().is_empty(), "answered later");
        let out = run_until_idle(&mut d);
        assert_eq!(out, vec![Message::ok(1, Reply::Count(40))]);
        assert_eq!(d.engine().metrics().unwrap().step, 40);
        d.request(2, Request::Settle, 0.0);
        assert_eq!(run_until_idle(&mut d), vec![Message::ok(2, Reply::Flag(true))]);
        d.request(3, Request::Play, 0.0);
        assert!(d.snapshot().playing);
    }

    /// A playing run restored on a new engine plays on after its replay; paused, it is measured at the step it
    /// paused at, as any playing run (the replay's own measurement, of an earlier step, does not answer for it:
    /// an export then gave that step's network with a later step count).
    #[test]
    fn a_restored_playing_run_is_measured_where_it_pauses() {
        let mut d = driver("blobs");
        let config = serde_json::to_value(d.engine().session().config()).unwrap();
        d.request(1, Request::Restore { tables: Vec::new(), config, step: 30, playing: true }, 0.0);
        // A clock that moves a millisecond each time it is read: a slice ends within its budget.
        let now = std::cell::Cell::new(0.0);
        let clock = || {
            now.set(now.get() + 1.0);
            now.get()
        };
        while d.engine().step() < 60 {
            d.pump(5.0, &clock);
        }
        assert!(d.playing(), "it plays on after the replay");
        d.request(2, Request::Pause, clock());
        d.request(3, Request::ExportRun, clock());
        let out = run_until_idle(&mut d);
        let text = out
            .iter()
            .find_map(|m| match m {
                Message::Reply { id: 3, value: Some(Reply::Text(text)), .. } => Some(text.clone()),
                _ => None,
            })
            .expect("the export is answered");
        let run: serde_json::Value = serde_json::from_str(&text).unwrap();
        let step = d.engine().step();
        assert!(step > 30);
        assert_eq!((run["steps"].as_u64(), run["final"]["step"].as_u64()), (Some(step), Some(step)));
        assert_eq!(d.engine().metrics().unwrap().step, step);
    }

    /// Step requests made one after another before the first is done are each answered, in order, with
    /// their own steps (none is dropped).
    #[test]
    fn step_requests_queue() {
        let mut d = driver("moons");
        for id in 1..=3 {
            d.request(id, Request::Step(10 * id), 0.0);
        }
        let out = run_until_idle(&mut d);
        assert_eq!(out, (1..=3).map(|id| Message::ok(id, Reply::Count(10 * id))).collect::<Vec<_>>());
        assert_eq!(d.engine().step(), 60);
    }

    /// A request that changes the run answers a pending step request with what it took; the digits are asked
    /// for by name and path; an unknown request target is an error message.
    #[test]
    fn requests_that_need_or_change_things() {
        let mut d = driver("blobs");
        d.request(1, Request::Step(1_000_000), 0.0);
        d.pump(1.0, &{
            let t = std::cell::Cell::new(0.0);
            move || {
                t.set(t.get() + 0.3);
                t.get()
            }
        });
        d.request(2, Request::Reset, 0.0);
        let out = d.take_messages();
        assert!(
            matches!(out[0], Message::Reply { id: 1, ok: true, value: Some(Reply::Count(n)), .. } if n < 1_000_000)
        );
        assert_eq!(out[1], Message::ok(2, Reply::Done));
        d.request(3, Request::LoadPreset("digits".into()), 0.0);
        assert_eq!(
            d.take_messages(),
            vec![Message::NeedsTable { id: 3, name: DIGITS.into(), path: DIGITS_PATH.into() }]
        );
        d.request(4, Request::LoadPreset("nope".into()), 0.0);
        assert_eq!(d.take_messages(), vec![Message::error(4, "unknown preset 'nope'")]);
        d.request(5, Request::ImportCsv { name: "bad.csv".into(), text: "x,y,label\n0,0,0\n1,oops,1\n".into() }, 0.0);
        let Message::Reply { error: Some(e), .. } = &d.take_messages()[0] else { panic!("an error") };
        assert!(
            e.starts_with("bad.csv: line 3: column 2 (y): 'oops' is not a number")
                && e.ends_with("Nothing was changed")
        );
    }

    /// On the main thread a run too heavy for it is held: play and step are refused with a message, the
    /// snapshot says it is held, and allowing it lets it play.
    #[test]
    fn heavy_runs_are_held_on_the_main_thread() {
        let engine = Engine::new(
            presets::find("blobs")
                .unwrap()
                .config
                .merged(r#"{"data": {"samples": 5000}, "network": {"hidden": [2048, 128, 2]}}"#)
                .unwrap(),
            Library::default(),
        )
        .unwrap();
        let mut d = Driver::new(engine, true);
        d.request(1, Request::Play, 0.0);
        assert_eq!(d.take_messages(), vec![Message::error(1, HELD)]);
        assert!(d.snapshot().held && !d.playing());
        d.request(2, Request::AllowHeavy, 0.0);
        d.request(3, Request::Play, 0.0);
        assert!(d.playing() && !d.snapshot().held);
    }
}
