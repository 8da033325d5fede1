//! The schema stays distributable by workspace: the README's Citus statements name every table,
//! and every distributed table carries `workspace_id` first in each key it has.

use throughline::devdb::Scratch;

/// Small tables looked up across workspaces, which Citus would copy to every node.
const REFERENCE: &[&str] = &[
    "workspaces",
    "oauth_states",
    "slack_installations",
    "connections",
    "kr_tokens",
];

#[tokio::test]
async fn every_table_is_a_reference_table_or_keyed_by_workspace_first() {
    let scratch = Scratch::new("throughline_test", 2).await.unwrap();
    let pool = &scratch.store.pool;
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables
         WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name NOT LIKE '\\_sqlx%'
         ORDER BY 1",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let citus = &readme[readme
        .find("create_reference_table")
        .expect("the Citus statements")..];
    let mut wrong = Vec::new();
    for table in &tables {
        if !citus.contains(&format!("'{table}'")) {
            wrong.push(format!("{table}: not in the README's Citus statements"));
        }
        if REFERENCE.contains(&table.as_str()) {
            continue;
        }
        // Each primary key and unique constraint, as its columns in order.
        let keys: Vec<(String, Vec<String>)> = sqlx::query_as(
            "SELECT c.conname::text, array_agg(a.attname::text ORDER BY k.n)
             FROM pg_constraint c
             CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, n)
             JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
             WHERE c.conrelid = $1::regclass AND c.contype IN ('p', 'u')
             GROUP BY c.conname",
        )
        .bind(table)
        .fetch_all(pool)
        .await
        .unwrap();
        let has_column: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM information_schema.columns
                            WHERE table_name = $1 AND column_name = 'workspace_id')",
        )
        .bind(table)
        .fetch_one(pool)
        .await
        .unwrap();
        if !has_column {
            wrong.push(format!("{table}: no workspace_id"));
        }
        for (name, columns) in keys {
            if columns.first().map(String::as_str) != Some("workspace_id") {
                wrong.push(format!("{table}: key {name} is ({})", columns.join(", ")));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    scratch.drop().await.unwrap();
}
