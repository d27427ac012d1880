/work/main/tools/schemagen/target/release/hakoniwa-schemagen: /work/main/tools/schemagen/src/main.rs
