//! What is recorded and what is due (SPEC.md §11.6): per task and per
//! department, the firms drawn, recorded and pending, and the day the
//! results are due — the 20th working day after the window's end; the
//! firms whose result puts them on the abnormal-operations list, with
//! the 10th working day after their inspection.

use crate::inputs::history::parse_date;
use crate::inputs::holidays::{HolidayCalendar, MissingYear};
use crate::inputs::result_words::Outcome;
use crate::results::state::State;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;

/// Working days after a window's end within which results are published.
pub const RESULTS_DUE_WORKING_DAYS: u32 = 20;
/// Working days after an inspection within which a firm found
/// unreachable (or its information false) goes on the list.
pub const ABNORMAL_DUE_WORKING_DAYS: u32 = 10;

/// One task's progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskStatus {
    pub task: String,
    pub name: String,
    pub department: String,
    pub end: NaiveDate,
    pub drawn: u64,
    pub recorded: u64,
    pub pending: u64,
    /// The 20th working day after `end`.
    pub due: NaiveDate,
    /// Results still pending after `due`.
    pub overdue: bool,
}

/// One department's progress over the tasks it leads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DepartmentStatus {
    pub department: String,
    pub tasks: u64,
    pub drawn: u64,
    pub recorded: u64,
    pub pending: u64,
    /// Pending results of its overdue tasks.
    pub overdue: u64,
}

/// A firm to put on the abnormal-operations list (经营异常名录).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AbnormalFirm {
    pub uscc: String,
    pub name: String,
    pub task: String,
    pub result: String,
    pub inspected_on: NaiveDate,
    /// The 10th working day after `inspected_on`.
    pub due: NaiveDate,
    /// `due` is before today.
    pub past_due: bool,
}

/// The status of a bundle's results on a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Status {
    pub today: NaiveDate,
    /// The calendar the working days come from.
    pub calendar: String,
    pub tasks: Vec<TaskStatus>,
    pub departments: Vec<DepartmentStatus>,
    pub abnormal_operations: Vec<AbnormalFirm>,
    /// Whether some task has results pending after its due day.
    pub overdue: bool,
}

/// The status of `state` on `today`, with `calendar`'s working days.
pub fn status(state: &State, calendar: &HolidayCalendar, today: NaiveDate) -> Result<Status, MissingYear> {
    let d = state.drawn;
    let mut drawn = vec![0u64; d.tasks.len()];
    let mut recorded = vec![0u64; d.tasks.len()];
    let mut abnormal = Vec::new();
    for (i, x) in d.inspections.iter().enumerate() {
        drawn[x.task] += 1;
        let Some(r) = state.result_of(i) else { continue };
        recorded[x.task] += 1;
        if Outcome::parse(&r.result).is_some_and(Outcome::abnormal_operations) {
            let on = parse_date(&r.inspected_on).expect("the log's dates were checked");
            let due = calendar.add_working_days(on, ABNORMAL_DUE_WORKING_DAYS)?;
            abnormal.push(AbnormalFirm {
                uscc: x.uscc.clone(),
                name: x.name.clone(),
                task: d.tasks[x.task].id.clone(),
                result: r.result.clone(),
                inspected_on: on,
                due,
                past_due: today > due,
            });
        }
    }
    abnormal.sort_by(|a, b| (a.due, &a.uscc, &a.task).cmp(&(b.due, &b.uscc, &b.task)));
    let mut tasks = Vec::new();
    let mut departments: BTreeMap<&str, DepartmentStatus> = BTreeMap::new();
    for (t, task) in d.tasks.iter().enumerate() {
        let due = calendar.add_working_days(task.end, RESULTS_DUE_WORKING_DAYS)?;
        let pending = drawn[t] - recorded[t];
        let overdue = pending > 0 && today > due;
        let dep = departments
            .entry(task.department.as_str())
            .or_insert_with(|| DepartmentStatus {
                department: task.department.clone(),
                tasks: 0,
                drawn: 0,
                recorded: 0,
                pending: 0,
                overdue: 0,
            });
        dep.tasks += 1;
        dep.drawn += drawn[t];
        dep.recorded += recorded[t];
        dep.pending += pending;
        if overdue {
            dep.overdue += pending;
        }
        tasks.push(TaskStatus {
            task: task.id.clone(),
            name: task.name.clone(),
            department: task.department.clone(),
            end: task.end,
            drawn: drawn[t],
            recorded: recorded[t],
            pending,
            due,
            overdue,
        });
    }
    Ok(Status {
        today,
        calendar: calendar.describe(),
        overdue: tasks.iter().any(|t| t.overdue),
        tasks,
        departments: departments.into_values().collect(),
        abnormal_operations: abnormal,
    })
}

impl Status {
    /// The status as text for a terminal.
    pub fn to_text(&self) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        let _ = writeln!(s, "status on {} (working days: {})", self.today, self.calendar);
        let _ = writeln!(s, "tasks:");
        for t in &self.tasks {
            let flag = if t.overdue {
                "  OVERDUE"
            } else if t.pending == 0 {
                "  done"
            } else {
                ""
            };
            let _ = writeln!(
                s,
                "  {}  {}  window ends {}, results due {}: drawn {}, recorded {}, pending {}{flag}",
                t.task, t.department, t.end, t.due, t.drawn, t.recorded, t.pending
            );
        }
        let _ = writeln!(s, "departments:");
        for d in &self.departments {
            let _ = writeln!(
                s,
                "  {}: {} tasks, drawn {}, recorded {}, pending {}, overdue {}",
                d.department, d.tasks, d.drawn, d.recorded, d.pending, d.overdue
            );
        }
        let _ = writeln!(
            s,
            "abnormal-operations list (经营异常名录), within {ABNORMAL_DUE_WORKING_DAYS} working days of the inspection: {}",
            self.abnormal_operations.len()
        );
        for a in &self.abnormal_operations {
            let _ = writeln!(
                s,
                "  {} {}  {}  inspected {}, list by {}{}",
                a.uscc,
                a.name,
                a.result,
                a.inspected_on,
                a.due,
                if a.past_due { " (past)" } else { "" }
            );
        }
        let overdue = self.tasks.iter().filter(|t| t.overdue).count();
        if overdue > 0 {
            let _ = writeln!(s, "OVERDUE: {overdue} task(s) have results pending after their due day");
        }
        s
    }
}
