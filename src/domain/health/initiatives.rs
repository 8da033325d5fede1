//! The initiative rules: starvation, stalled or blocked work, capacity against plan, a lead
//! pulled onto other work, due dates.

use std::collections::HashMap;

use super::*;

impl<'a> Evaluator<'a> {
    pub(super) fn initiatives(
        &mut self,
        work_health: &HashMap<WorkId, Health>,
    ) -> HashMap<InitiativeId, Health> {
        let mut all = HashMap::new();
        let active = self
            .snap
            .initiatives
            .iter()
            .filter(|i| i.status == InitiativeStatus::Active);
        for i in active {
            if let Some(h) = self.snap.settled.get(&i.id) {
                all.insert(i.id, h.clone());
                continue;
            }
            let h = self.initiative(i, work_health);
            self.out.health.insert(i.key().to_string(), h.clone());
            all.insert(i.id, h);
        }
        all
    }

    fn initiative(&mut self, i: &Initiative, work_health: &HashMap<WorkId, Health>) -> Health {
        let mut h = Health::new();
        let key = i.key().to_string();
        let goal_key = self.goals.get(&i.goal_id).map(|g| g.key().to_string());
        let items: Vec<&WorkItem> = self
            .snap
            .work
            .iter()
            .filter(|w| w.initiative_id == Some(i.id))
            .collect();
        let open: Vec<&WorkItem> = items
            .iter()
            .copied()
            .filter(|w| w.status.is_open())
            .collect();
        let active: Vec<&WorkItem> = open
            .iter()
            .copied()
            .filter(|w| matches!(w.status, WorkStatus::Doing | WorkStatus::Blocked))
            .collect();
        let troubled: Vec<&WorkItem> = active
            .iter()
            .copied()
            .filter(|w| {
                work_health
                    .get(&w.id)
                    .is_some_and(|h| h.colour != Colour::Green)
            })
            .collect();
        let doing = open.iter().any(|w| w.status == WorkStatus::Doing);

        // Starvation: nothing in `doing` since the later of its start and its last doing item,
        // counted in the lead's working time.
        if !doing {
            let since = self
                .last_doing(items.iter().copied())
                .map_or(i.status_changed_at, |t| t.max(i.status_changed_at));
            let idle = self.worked(i.lead_id, since);
            if idle >= self.s.working.span(self.s.starve_after) {
                let reason = format!(
                    "{key} has had no work in doing for {} (since {})",
                    self.describe_span(idle),
                    since.with_timezone(&self.s.time_zone).format("%a %Y-%m-%d"),
                );
                h.flag(Colour::Red, format!("starved:{key}"), reason.clone());
                let summary = format!(
                    "{key} \"{}\" (lead {}) has had no work in doing for {}",
                    i.title,
                    self.at(i.lead_id),
                    self.describe_span(idle)
                );
                self.condition(SignalKind::Starved, &key, goal_key.clone(), summary);
            }
        }

        if !troubled.is_empty() {
            let keys = troubled
                .iter()
                .map(|w| w.key().to_string())
                .collect::<Vec<_>>()
                .join(", ");
            // "Every item stalled or blocked" flaps as one item ends and the next starts:
            // it turns the initiative red only once it has held for `settle`.
            if troubled.len() == active.len() {
                let held = self.held(format!("all_troubled:{key}"));
                let what = format!("every active item of {key} is stalled or blocked: {keys}");
                if held >= self.s.settle {
                    h.flag(
                        Colour::Red,
                        format!("all_troubled:{key}"),
                        format!("{what} (for {})", human_duration(held)),
                    );
                } else {
                    h.raise(Colour::Amber);
                    h.reasons.push(format!(
                        "{what} (for {}; red once it holds {})",
                        human_duration(held),
                        human_duration(self.s.settle)
                    ));
                }
            } else {
                h.raise(Colour::Amber);
                h.reasons
                    .push(format!("{key} has stalled or blocked work: {keys}"));
            }
            for w in &troubled {
                let wh = &work_health[&w.id];
                h.reasons.extend(wh.reasons.iter().cloned());
                h.causes
                    .extend(wh.causes.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
        }

        let label = format!("{key} \"{}\" (lead {})", i.title, self.at(i.lead_id));
        let mut shift = Vec::new();
        if doing && i.plan_fte > 0.0 {
            let actual = self.capacity.initiative(i.id);
            let pct = percent(actual, i.plan_fte);
            let figures = format!(
                "{key} has {} of {} FTE planned ({pct}%",
                fte(actual),
                fte(i.plan_fte)
            );
            if pct < self.s.capacity_red_pct as i64 {
                // Like the rule above, a capacity drop must hold for `settle` to turn red.
                let held = self.held(format!("capacity_red:{key}"));
                let red = held >= self.s.settle;
                let note = if red {
                    format!(
                        "red below {}%, for {}",
                        self.s.capacity_red_pct,
                        human_duration(held)
                    )
                } else {
                    format!(
                        "red below {}% once it holds {}",
                        self.s.capacity_red_pct,
                        human_duration(self.s.settle)
                    )
                };
                let (colour, rule) = if red {
                    (Colour::Red, "capacity_red")
                } else {
                    (Colour::Amber, "capacity")
                };
                shift.push((colour, rule, format!("{figures}, {note})")));
            } else if pct < self.s.capacity_amber_pct as i64 {
                shift.push((
                    Colour::Amber,
                    "capacity",
                    format!("{figures}, amber below {}%)", self.s.capacity_amber_pct),
                ));
            }
        }
        if let Some(moved) = self.lead_moved(i) {
            shift.push((Colour::Amber, "lead_moved", moved));
        }
        if !shift.is_empty() {
            let summary = shift
                .iter()
                .map(|(_, _, r)| r.as_str())
                .collect::<Vec<_>>()
                .join("; ");
            self.condition(
                SignalKind::CapacityShift,
                &key,
                goal_key.clone(),
                format!("{label}: {summary}"),
            );
            for (colour, rule, reason) in shift {
                h.flag(colour, format!("{rule}:{key}"), reason);
            }
        }

        if let Some(due) = i.due_on.filter(|d| *d < self.today) {
            let reason = format!("{key} was due {due}");
            h.flag(Colour::Red, format!("overdue:{key}"), reason.clone());
            self.condition(
                SignalKind::Overdue,
                &key,
                goal_key,
                format!("{label} was due {due}"),
            );
        }
        h
    }

    /// "lead @lee is spending 0.5 FTE on W-2 "Critical payment bug" (no goal)" when the lead has
    /// work in `doing` outside the initiative's goal.
    fn lead_moved(&self, i: &Initiative) -> Option<String> {
        let elsewhere: Vec<&WorkItem> = self
            .open_work()
            .filter(|w| {
                w.assignee_id == i.lead_id
                    && w.status == WorkStatus::Doing
                    && w.goal_id != Some(i.goal_id)
            })
            .collect();
        if elsewhere.is_empty() {
            return None;
        }
        let share: f64 = elsewhere.iter().map(|w| self.capacity.item(w.id)).sum();
        let items = elsewhere
            .iter()
            .map(|w| {
                let home = match w.goal_id.and_then(|g| self.goals.get(&g)) {
                    Some(g) => g.key().to_string(),
                    None => "no goal".into(),
                };
                format!("{} \"{}\" ({home})", w.key(), w.title)
            })
            .collect::<Vec<_>>()
            .join(", ");
        Some(format!(
            "lead {} pulled onto other work: {} FTE on {items}",
            self.at(i.lead_id),
            fte(share)
        ))
    }
}
