//! A small simulated organisation lives four weeks of work through the engine; the checker
//! holds what it was sent to the README's promises. (`throughline simulate` runs the full one.)

use throughline::devdb::Scratch;
use throughline::sim::{self, Config};

#[tokio::test]
async fn a_simulated_team_hears_every_incident_and_nothing_at_night_or_about_minutes() {
    let scratch = Scratch::new("throughline_test", 4).await.unwrap();
    let cfg = Config {
        people: 30,
        days: 20,
        seed: 7,
    };
    let r = sim::run(scratch.store.clone(), &cfg, None).await.unwrap();
    let shown = sim::describe(&r);
    assert_eq!(r.refused_commands, 0, "{shown}");
    assert!(r.incidents >= 5, "{shown}");
    assert_eq!(r.incidents_caught, r.incidents, "{shown}");
    assert_eq!(r.incidents_reached_owner, r.incidents, "{shown}");
    assert_eq!(r.time_caused_outside_hours, 0, "{shown}");
    assert_eq!(r.short_episodes_pushed, 0, "{shown}");
    assert!(r.digest_lines > 0, "{shown}");
    assert!(r.digest_lines_without_cause.is_empty(), "{shown}");
    assert!(r.owner_pushes_per_week.median <= 1.5, "{shown}");
    scratch.drop().await.unwrap();
}
