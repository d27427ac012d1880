/work/main/tools/schemagen/target/release/deps/hakoniwa_schemagen-afabfde20d86625d.d: src/main.rs src/gotypes.rs src/proto.rs

/work/main/tools/schemagen/target/release/deps/hakoniwa_schemagen-afabfde20d86625d: src/main.rs src/gotypes.rs src/proto.rs

src/main.rs:
src/gotypes.rs:
src/proto.rs:
