/work/main/tools/schemagen/target/release/hakoniwa-schemagen: /work/main/tools/schemagen/src/gotypes.rs /work/main/tools/schemagen/src/main.rs /work/main/tools/schemagen/src/proto.rs
