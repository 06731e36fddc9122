//! `steps` against a scripted transaction: which writes run bare, which in savepoints, what is answered, and what
//! comes back to run again.

use super::*;

/// How a scripted write ends.
#[derive(Clone, Copy)]
enum End {
    /// Answers its number.
    Ok(u32),
    /// Refuses before changing anything.
    Refuses,
    /// Fails after changing something (or with a failed statement).
    Breaks,
}

/// A scripted write: a quick one may run bare.
#[derive(Clone, Copy)]
struct Step {
    quick: bool,
    end: End,
}

/// A transaction that logs what it ran: `b<n>` bare, `s<n>` in a savepoint, `commit`.
#[derive(Default)]
struct Script {
    log: Vec<String>,
}

fn result(end: End) -> StoreResult<Output> {
    match end {
        End::Ok(n) => Ok(Box::new(n)),
        End::Refuses | End::Breaks => Err(StoreError::Conflict("refused".into())),
    }
}

fn name(end: End) -> String {
    match end {
        End::Ok(n) => n.to_string(),
        End::Refuses => "refuses".into(),
        End::Breaks => "breaks".into(),
    }
}

impl Transaction<Step> for &mut Script {
    async fn bare(&mut self, work: Step) -> (Step, Option<Bare>) {
        if !work.quick {
            return (work, None);
        }
        self.log.push(format!("b{}", name(work.end)));
        let ended = match work.end {
            End::Breaks => Bare::Broke,
            end => Bare::Ran(result(end)),
        };
        (work, Some(ended))
    }

    async fn savepoint(&mut self, work: Step, _open: bool, _more: bool) -> (StoreResult<Output>, Result<(), Failure>) {
        self.log.push(format!("s{}", name(work.end)));
        (result(work.end), Ok(()))
    }

    async fn commit(self) -> Result<(), Failure> {
        self.log.push("commit".into());
        Ok(())
    }
}

type Answer = std::pin::Pin<Box<dyn Future<Output = StoreResult<u32>> + Send>>;

fn jobs(steps: &[Step]) -> (Vec<Job<Step>>, Vec<Answer>) {
    steps
        .iter()
        .map(|&step| {
            let (job, answer) = Job::waiting::<u32>(Named::Nothing, step);
            (job, Box::pin(answer) as Answer)
        })
        .unzip()
}

fn quick(end: End) -> Step {
    Step { quick: true, end }
}

/// What each caller got: its number, or `err`.
async fn answers(answers: Vec<Answer>) -> Vec<String> {
    let mut out = Vec::new();
    for a in answers {
        out.push(a.await.map_or_else(|_| "err".to_owned(), |n| n.to_string()));
    }
    out
}

#[tokio::test]
async fn quick_writes_run_bare_and_a_refusal_is_answered_alone() {
    let mut script = Script::default();
    let (batch, waits) = jobs(&[quick(End::Ok(1)), quick(End::Refuses), quick(End::Ok(3))]);
    let left = steps(&mut script, batch, |_| {}).await;
    assert!(left.is_empty());
    assert_eq!(script.log, ["b1", "brefuses", "b3", "commit"]);
    assert_eq!(answers(waits).await, ["1", "err", "3"]);
}

#[tokio::test]
async fn a_bare_write_that_breaks_sends_every_bare_write_back_to_run_carefully() {
    let mut script = Script::default();
    let (batch, waits) = jobs(&[quick(End::Ok(1)), quick(End::Ok(2)), quick(End::Breaks), quick(End::Ok(4))]);
    let left = steps(&mut script, batch, |_| panic!("nothing is committed")).await;
    assert_eq!(script.log, ["b1", "b2", "bbreaks"]);
    assert_eq!(left.iter().map(|j| j.careful).collect::<Vec<_>>(), [true, true, true, false]);

    // The next transaction runs them in savepoints: the one that breaks fails alone, the rest are committed.
    let mut again = Script::default();
    let left = steps(&mut again, left, |named| assert_eq!(named.len(), 4)).await;
    assert!(left.is_empty());
    assert_eq!(again.log, ["s1", "s2", "sbreaks", "s4", "commit"]);
    assert_eq!(answers(waits).await, ["1", "2", "err", "4"]);
}

#[tokio::test]
async fn after_a_write_in_a_savepoint_none_runs_bare() {
    let mut script = Script::default();
    let driver = Step { quick: false, end: End::Ok(2) };
    let (batch, waits) = jobs(&[quick(End::Ok(1)), driver, quick(End::Ok(3))]);
    let left = steps(&mut script, batch, |_| {}).await;
    assert!(left.is_empty());
    // The bare write before it is answered after the commit all the same.
    assert_eq!(script.log, ["b1", "s2", "s3", "commit"]);
    assert_eq!(answers(waits).await, ["1", "2", "3"]);
}
