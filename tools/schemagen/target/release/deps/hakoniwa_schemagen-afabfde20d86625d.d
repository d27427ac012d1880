/work/main/tools/schemagen/target/release/deps/hakoniwa_schemagen-afabfde20d86625d.d: src/main.rs

/work/main/tools/schemagen/target/release/deps/hakoniwa_schemagen-afabfde20d86625d: src/main.rs

src/main.rs:
