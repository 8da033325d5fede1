//! Replies to `capacity`: planned against actual, for the workspace, a goal or a person.

use crate::domain::capacity::{fte, percent};
use crate::domain::words::counted;
use crate::domain::*;
use crate::engine::digest::Picture;
use crate::engine::index::Index;
use crate::message::Message;

pub fn workspace_capacity(p: &Picture) -> Message {
    let cap = &p.assessment.capacity;
    let goals: Vec<String> = p
        .snap
        .goals
        .iter()
        .map(|g| {
            let planned: f64 = p
                .snap
                .initiatives
                .iter()
                .filter(|i| i.goal_id == g.id && i.status == InitiativeStatus::Active)
                .map(|i| i.plan_fte)
                .sum();
            format!(
                "{}: planned {} FTE, actual {} FTE",
                Index::goal_label(g),
                fte(planned),
                fte(cap.goal(g.id))
            )
        })
        .collect();
    Message::info("Capacity: planned vs actual, by goal")
        .lines("Goals", goals)
        .fields(vec![
            ("In use", format!("{} FTE", fte(cap.allocated))),
            (
                "To no goal",
                format!(
                    "{} FTE ({}% of capacity in use)",
                    fte(cap.unaligned),
                    percent(cap.unaligned, cap.allocated)
                ),
            ),
            (
                "Idle",
                format!("{} FTE (people with nothing in doing)", fte(cap.idle)),
            ),
        ])
        .lines(
            "Rule",
            vec!["Each person's capacity is split equally among their items in doing.".into()],
        )
}

pub fn goal_capacity(p: &Picture, g: &Goal) -> Message {
    let cap = &p.assessment.capacity;
    let lines: Vec<String> = p
        .snap
        .initiatives
        .iter()
        .filter(|i| i.goal_id == g.id && i.status == InitiativeStatus::Active)
        .map(|i| {
            let actual = cap.initiative(i.id);
            format!(
                "{}: planned {} FTE, actual {} FTE ({}%)",
                Index::initiative_label(i),
                fte(i.plan_fte),
                fte(actual),
                percent(actual, i.plan_fte)
            )
        })
        .collect();
    let direct: f64 = p
        .snap
        .work
        .iter()
        .filter(|w| w.goal_id == Some(g.id) && w.initiative_id.is_none())
        .map(|w| cap.item(w.id))
        .sum();
    Message::info(format!(
        "Capacity of {}: {} FTE in use",
        Index::goal_label(g),
        fte(cap.goal(g.id))
    ))
    .lines("Initiatives", lines)
    .fields(vec![(
        "Work directly under the goal",
        format!("{} FTE", fte(direct)),
    )])
}

pub fn person_capacity(p: &Picture, person: &Person) -> Message {
    let ix = Index::new(&p.snap);
    let cap = &p.assessment.capacity;
    let doing: Vec<&WorkItem> = p
        .snap
        .work
        .iter()
        .filter(|w| w.assignee_id == person.id && w.status == WorkStatus::Doing)
        .collect();
    if doing.is_empty() {
        return Message::info(format!(
            "{} has nothing in doing: {} FTE free",
            person.at(),
            fte(person.capacity_fte)
        ));
    }
    let lines: Vec<String> = doing
        .iter()
        .map(|w| {
            format!(
                "{} FTE on {} \"{}\" for {}",
                fte(cap.item(w.id)),
                w.key(),
                w.title,
                ix.home(w)
            )
        })
        .collect();
    let off: f64 = doing
        .iter()
        .filter(|w| w.is_unaligned())
        .map(|w| cap.item(w.id))
        .sum();
    Message::info(format!(
        "Capacity of {}: {} FTE across {} in doing",
        person.at(),
        fte(person.capacity_fte),
        counted(doing.len(), "item")
    ))
    .lines("Where it goes", lines)
    .fields(vec![("To no goal", format!("{} FTE", fte(off)))])
}
