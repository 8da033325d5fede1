//! Export and import: a workspace survives the round trip whole, and a file that does not
//! fit is refused with a reason, changing nothing.

use throughline::devdb::Scratch;
use throughline::platform::console::Console;
use throughline::store::backup::{self, Backup};

use crate::harness::*;

async fn export(store: &throughline::store::Store, ws: i64) -> Backup {
    let mut conn = store.pool.acquire().await.unwrap();
    backup::export(&mut conn, ws).await.unwrap()
}

async fn import(store: &throughline::store::Store, file: &Backup) -> anyhow::Result<i64> {
    let mut tx = store.begin().await.unwrap();
    let ws = backup::import(&mut tx, file).await?;
    tx.commit().await.unwrap();
    Ok(ws)
}

#[tokio::test]
async fn a_workspace_exported_and_imported_elsewhere_loses_nothing_and_carries_on() {
    let mut t = founding().await;
    t.say("cto", "work new none \"Critical payment bug\" @lee")
        .await;
    t.say("lee", "work start W-2").await;
    t.advance("1d").await;
    let file = export(t.store(), t.console.ws).await;
    for table in [
        "people",
        "goals",
        "initiatives",
        "work_items",
        "events",
        "outbox",
        "episodes",
    ] {
        let rows = file.tables[table].as_array().unwrap().len();
        assert!(rows > 0, "{table} is in the file");
    }

    // Another database, as a restore on a new server would be.
    let elsewhere = Scratch::new("throughline_restore", 2).await.unwrap();
    let ws = import(&elsewhere.store, &file).await.unwrap();
    let again = export(&elsewhere.store, ws).await;
    assert_eq!(
        serde_json::to_value(&again).unwrap(),
        serde_json::to_value(&file).unwrap(),
        "every row of every table came back as it was"
    );

    // The restored workspace answers as the original does, and goes on numbering and
    // storing rows where the original left off.
    let mut restored = Console::start(elsewhere.store.clone(), t.console.now())
        .await
        .unwrap();
    assert_eq!(restored.ws, ws);
    let ask = "@ana: /align goal show G-1";
    let here = t.run(ask).await.unwrap().text;
    let there = restored.line(1, ask).await.unwrap();
    assert_eq!(there[0].text, here);
    let made = restored
        .line(
            2,
            "@ana: /align goal new \"Grow revenue\" owner:@ana rank:2",
        )
        .await
        .unwrap();
    assert!(made[0].text.contains("Created G-2"), "{}", made[0].text);

    // A second import finds the workspace in use and changes nothing.
    let err = import(&elsewhere.store, &file)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("already holds people or goals"), "{err}");
    elsewhere.drop().await.unwrap();
    t.dm("cto", "W-2");
    t.dm("ana", "G-1");
    t.dm("lee", "I-1");
    t.post("#leadership", "Daily digest");
    t.finish().await;
}

#[tokio::test]
async fn a_file_from_another_schema_version_is_refused_by_name() {
    let t = founding().await;
    let mut file = export(t.store(), t.console.ws).await;
    file.schema -= 1;
    let elsewhere = Scratch::new("throughline_restore", 2).await.unwrap();
    let err = import(&elsewhere.store, &file)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("schema version"), "{err}");
    let workspaces: i64 = sqlx::query_scalar("SELECT count(*) FROM workspaces")
        .fetch_one(&elsewhere.store.pool)
        .await
        .unwrap();
    assert_eq!(workspaces, 0, "nothing was written");
    elsewhere.drop().await.unwrap();
    t.finish().await;
}
