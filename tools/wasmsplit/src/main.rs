//! Splits the app's WebAssembly module in two: a primary module with every function the page
//! runs while it starts and while a learner types the first usual commands (named in a profile;
//! functions without a name stay too),
//! and a cold module with the rest, which the page fetches once it is up.
//!
//! In the primary module each cold function keeps its index, but its body becomes a stub: if
//! the cold module is not there yet, call the imported `hakoniwa-split.load` (which fetches and
//! instantiates it, synchronously if it must); then call the real function through a slot of
//! the function table that the cold module's element segment fills. So no call site changes,
//! and a cold function reached early still works, only later. The cold module imports the
//! primary's memories, tables and globals in their order (so their indices are unchanged), and
//! each primary function its bodies call.
//!
//! The profile is a list of function names (Rust symbols with their hash), one a line, written
//! by `instrument`: an instrumented module calls `hakoniwa-split.hit(i)` the first time each
//! function `i` runs; scripts/split-profile.mjs drives the page and writes the names hit.
//!
//! The two files must come from one split: scripts/wasm-split.sh names both after a hash of
//! what it wrote.
//!
//! Usage:
//!   wasmsplit instrument IN.wasm OUT.wasm NAMES.txt
//!   wasmsplit split IN.wasm PROFILE.txt PRIMARY.wasm COLD.wasm

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};
use std::process::ExitCode;

use wasm_encoder::reencode::{Error as ReError, Reencode, RoundtripReencoder};
use wasm_encoder::{
    BlockType, CodeSection, ConstExpr, DataCountSection, ElementSection, Elements, EntityType, ExportKind,
    ExportSection, Function, FunctionSection, GlobalSection, GlobalType, ImportSection, Instruction, MemorySection,
    Module, RawSection, SectionId, StartSection, TableSection, TypeSection, ValType,
};
use wasmparser::{ExternalKind, FunctionBody, Operator, Parser, Payload, TypeRef};

const SPLIT_MODULE: &str = "hakoniwa-split";
const PRIMARY: &str = "primary";

type Res<T> = Result<T, String>;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let run = || -> Res<()> {
        match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
            ["instrument", input, out, names] => instrument(&read(input)?, out, names),
            ["split", input, profile, primary, cold] => {
                let profile = std::fs::read_to_string(profile).map_err(|e| format!("{profile}: {e}"))?;
                split(&read(input)?, &profile, primary, cold)
            }
            _ => Err("usage: wasmsplit instrument IN OUT NAMES | wasmsplit split IN PROFILE PRIMARY COLD".into()),
        }
    };
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("wasmsplit: {e}");
            ExitCode::FAILURE
        }
    }
}

fn read(path: &str) -> Res<Vec<u8>> {
    std::fs::read(path).map_err(|e| format!("{path}: {e}"))
}

fn write(path: &str, bytes: &[u8]) -> Res<()> {
    std::fs::write(path, bytes).map_err(|e| format!("{path}: {e}"))
}

fn err<E: std::fmt::Debug>(e: E) -> String {
    format!("{e:?}")
}

/// The parts of a module this tool reads, borrowed from its bytes.
#[derive(Default)]
struct Parsed<'a> {
    types: Vec<wasmparser::FuncType>,
    types_raw: &'a [u8],
    imports: Vec<wasmparser::Import<'a>>,
    imported_funcs: u32,
    funcs: Vec<u32>,
    tables: Vec<wasmparser::Table<'a>>,
    imported_tables: Vec<wasmparser::TableType>,
    memories: Vec<wasmparser::MemoryType>,
    imported_memories: Vec<wasmparser::MemoryType>,
    globals: Vec<wasmparser::Global<'a>>,
    imported_globals: Vec<wasmparser::GlobalType>,
    exports: Vec<wasmparser::Export<'a>>,
    start: Option<u32>,
    elements: Option<wasmparser::ElementSectionReader<'a>>,
    data_count: Option<u32>,
    data_raw: Option<&'a [u8]>,
    bodies: Vec<FunctionBody<'a>>,
    /// Function names by index (the name section).
    names: BTreeMap<u32, String>,
}

fn parse(bytes: &[u8]) -> Res<Parsed<'_>> {
    let mut m = Parsed::default();
    for payload in Parser::new(0).parse_all(bytes) {
        match payload.map_err(err)? {
            Payload::TypeSection(r) => {
                m.types_raw = &bytes[r.range()];
                for group in r {
                    for sub in group.map_err(err)?.into_types() {
                        match sub.composite_type.inner {
                            wasmparser::CompositeInnerType::Func(f) => m.types.push(f),
                            _ => return Err("only function types are supported".into()),
                        }
                    }
                }
            }
            Payload::ImportSection(r) => {
                for import in r.into_imports() {
                    let import = import.map_err(err)?;
                    match import.ty {
                        TypeRef::Func(_) => m.imported_funcs += 1,
                        TypeRef::Table(t) => m.imported_tables.push(t),
                        TypeRef::Memory(t) => m.imported_memories.push(t),
                        TypeRef::Global(t) => m.imported_globals.push(t),
                        _ => return Err(format!("unsupported import {}.{}", import.module, import.name)),
                    }
                    m.imports.push(import);
                }
            }
            Payload::FunctionSection(r) => m.funcs = r.into_iter().collect::<Result<_, _>>().map_err(err)?,
            Payload::TableSection(r) => m.tables = r.into_iter().collect::<Result<_, _>>().map_err(err)?,
            Payload::MemorySection(r) => m.memories = r.into_iter().collect::<Result<_, _>>().map_err(err)?,
            Payload::GlobalSection(r) => m.globals = r.into_iter().collect::<Result<_, _>>().map_err(err)?,
            Payload::ExportSection(r) => m.exports = r.into_iter().collect::<Result<_, _>>().map_err(err)?,
            Payload::StartSection { func, .. } => m.start = Some(func),
            Payload::ElementSection(r) => m.elements = Some(r),
            Payload::DataCountSection { count, .. } => m.data_count = Some(count),
            Payload::DataSection(r) => m.data_raw = Some(&bytes[r.range()]),
            Payload::CodeSectionEntry(body) => m.bodies.push(body),
            Payload::CustomSection(c) => {
                if let wasmparser::KnownCustom::Name(names) = c.as_known() {
                    for name in names {
                        if let wasmparser::Name::Function(map) = name.map_err(err)? {
                            for naming in map {
                                let naming = naming.map_err(err)?;
                                m.names.insert(naming.index, naming.name.to_string());
                            }
                        }
                    }
                }
            }
            Payload::TagSection(_) => return Err("tags are not supported".into()),
            _ => {}
        }
    }
    if m.funcs.len() != m.bodies.len() {
        return Err("function and code sections disagree".into());
    }
    Ok(m)
}

/// Re-encodes with function indices mapped (and refuses what moving a body cannot carry).
struct Remap<F: FnMut(u32) -> Res<u32>> {
    func: F,
}

impl<F: FnMut(u32) -> Res<u32>> Reencode for Remap<F> {
    type Error = String;

    fn function_index(&mut self, func: u32) -> Result<u32, ReError<String>> {
        (self.func)(func).map_err(ReError::UserError)
    }
}

fn body<R: Reencode<Error = String>>(r: &mut R, b: &FunctionBody, prefix: &[Instruction]) -> Res<Function> {
    let mut f = r.new_function_with_parsed_locals(b).map_err(err)?;
    for i in prefix {
        f.instruction(i);
    }
    let mut ops = b.get_operators_reader().map_err(err)?;
    while !ops.eof() {
        f.instruction(&r.parse_instruction(&mut ops).map_err(err)?);
    }
    Ok(f)
}

/// The sections a rewritten primary module shares with the input: types (with `extra` function
/// types after them), imports (with `extra_imports` after the function imports' end, so they
/// take the next function indices), functions, tables (the funcref table grown by `grow`),
/// memories and globals (with `extra_globals` after them).
struct Head<'m, 'a> {
    m: &'m Parsed<'a>,
    extra_types: Vec<(Vec<ValType>, Vec<ValType>)>,
    extra_imports: Vec<(&'static str, u32)>,
    grow: Option<(u32, u64)>,
    extra_globals: Vec<(GlobalType, ConstExpr)>,
}

impl Head<'_, '_> {
    /// `shift`: how far defined functions moved (the extra imports), for `ref.func` in the
    /// tables' and globals' initial values.
    fn encode(&self, module: &mut Module, shift: u32) -> Res<()> {
        let m = self.m;
        let mut rt = RoundtripReencoder;
        let mut remap = Remap { func: |x: u32| Ok(if x >= m.imported_funcs { x + shift } else { x }) };
        let mut types = TypeSection::new();
        for f in &m.types {
            let p: Vec<ValType> = f.params().iter().map(|t| rt.val_type(*t)).collect::<Result<_, _>>().map_err(err)?;
            let r: Vec<ValType> = f.results().iter().map(|t| rt.val_type(*t)).collect::<Result<_, _>>().map_err(err)?;
            types.ty().function(p, r);
        }
        for (p, r) in &self.extra_types {
            types.ty().function(p.clone(), r.clone());
        }
        module.section(&types);
        let mut imports = ImportSection::new();
        for i in &m.imports {
            imports.import(i.module, i.name, rt.entity_type(i.ty).map_err(err)?);
        }
        for (name, ty) in &self.extra_imports {
            imports.import(SPLIT_MODULE, name, EntityType::Function(*ty));
        }
        module.section(&imports);
        let mut funcs = FunctionSection::new();
        for t in &m.funcs {
            funcs.function(*t);
        }
        module.section(&funcs);
        let mut tables = TableSection::new();
        for (i, t) in m.tables.iter().enumerate() {
            let mut ty = rt.table_type(t.ty).map_err(err)?;
            if let Some((at, by)) = self.grow {
                if at as usize == m.imported_tables.len() + i {
                    ty.minimum += by;
                    ty.maximum = ty.maximum.map(|x| x + by);
                }
            }
            match &t.init {
                wasmparser::TableInit::RefNull => tables.table(ty),
                wasmparser::TableInit::Expr(e) => tables.table_with_init(ty, &remap.const_expr(e.clone()).map_err(err)?),
            };
        }
        module.section(&tables);
        let mut memories = MemorySection::new();
        for t in &m.memories {
            memories.memory(rt.memory_type(*t).map_err(err)?);
        }
        module.section(&memories);
        let mut globals = GlobalSection::new();
        for g in &m.globals {
            globals.global(rt.global_type(g.ty).map_err(err)?, &remap.const_expr(g.init_expr.clone()).map_err(err)?);
        }
        for (ty, init) in &self.extra_globals {
            globals.global(*ty, init);
        }
        module.section(&globals);
        Ok(())
    }
}

fn export_kind(k: ExternalKind) -> Res<ExportKind> {
    Ok(match k {
        ExternalKind::Func | ExternalKind::FuncExact => ExportKind::Func,
        ExternalKind::Table => ExportKind::Table,
        ExternalKind::Memory => ExportKind::Memory,
        ExternalKind::Global => ExportKind::Global,
        ExternalKind::Tag => return Err("tags are not supported".into()),
    })
}

/// The sections after the globals, with function indices moved by `shift` at and after the
/// first defined function (the extra imports), and `bodies` for the code.
fn tail(module: &mut Module, m: &Parsed, shift: u32, extra_exports: &[(String, ExportKind, u32)], code: &CodeSection) -> Res<()> {
    let f = |x: u32| if x >= m.imported_funcs { x + shift } else { x };
    let mut exports = ExportSection::new();
    for e in &m.exports {
        let index = if matches!(e.kind, ExternalKind::Func | ExternalKind::FuncExact) { f(e.index) } else { e.index };
        exports.export(e.name, export_kind(e.kind)?, index);
    }
    for (name, kind, index) in extra_exports {
        exports.export(name, *kind, *index);
    }
    module.section(&exports);
    if let Some(start) = m.start {
        module.section(&StartSection { function_index: f(start) });
    }
    if let Some(elements) = m.elements.clone() {
        let mut section = ElementSection::new();
        let mut remap = Remap { func: |x| Ok(f(x)) };
        remap.parse_element_section(&mut section, elements).map_err(err)?;
        module.section(&section);
    }
    if let Some(count) = m.data_count {
        module.section(&DataCountSection { count });
    }
    module.section(code);
    if let Some(data) = m.data_raw {
        module.section(&RawSection { id: SectionId::Data as u8, data });
    }
    Ok(())
}

fn instrument(bytes: &[u8], out: &str, names_out: &str) -> Res<()> {
    let m = parse(bytes)?;
    let n = m.funcs.len() as u32;
    let hit_ty = m.types.len() as u32;
    let hit = m.imported_funcs;
    let first_flag = (m.imported_globals.len() + m.globals.len()) as u32;
    let mut module = Module::new();
    Head {
        m: &m,
        extra_types: vec![(vec![ValType::I32], vec![])],
        extra_imports: vec![("hit", hit_ty)],
        grow: None,
        extra_globals: (0..n).map(|_| (GlobalType { val_type: ValType::I32, mutable: true, shared: false }, ConstExpr::i32_const(0))).collect(),
    }
    .encode(&mut module, 1)?;
    let mut code = CodeSection::new();
    let mut remap = Remap { func: |x| Ok(if x >= m.imported_funcs { x + 1 } else { x }) };
    for (i, b) in m.bodies.iter().enumerate() {
        let flag = first_flag + i as u32;
        let prefix = [
            Instruction::GlobalGet(flag),
            Instruction::I32Eqz,
            Instruction::If(BlockType::Empty),
            Instruction::I32Const(1),
            Instruction::GlobalSet(flag),
            Instruction::I32Const(i as i32),
            Instruction::Call(hit),
            Instruction::End,
        ];
        code.function(&body(&mut remap, b, &prefix)?);
    }
    tail(&mut module, &m, 1, &[], &code)?;
    let bytes = module.finish();
    wasmparser::Validator::new().validate_all(&bytes).map_err(|e| format!("the instrumented module is not valid: {e}"))?;
    write(out, &bytes)?;
    let names: String = (0..n).map(|i| format!("{}\n", m.names.get(&(m.imported_funcs + i)).map_or("", String::as_str))).collect();
    write(names_out, names.as_bytes())
}

fn split(bytes: &[u8], profile: &str, primary_out: &str, cold_out: &str) -> Res<()> {
    let m = parse(bytes)?;
    if m.names.is_empty() {
        return Err("the module has no name section (build it with names: wasm-opt -g)".into());
    }
    // (A start function runs while the module is instantiated, before the loader has its
    // exports: one that reached a cold function could not load it. wasm-bindgen starts the app
    // from an export instead.)
    if m.start.is_some() {
        return Err("a module with a start section cannot be split".into());
    }
    let hot: HashSet<&str> = profile.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect();
    let imported = m.imported_funcs;
    // Cold: defined functions the profile does not name (and never the start function).
    let mut cold_of = vec![None; m.funcs.len()];
    let mut cold: Vec<u32> = Vec::new();
    for i in 0..m.funcs.len() as u32 {
        let idx = imported + i;
        // (Functions without a name, wasm-bindgen's few shims, cannot be named in a profile.)
        let hot = m.names.get(&idx).is_none_or(|n| hot.contains(n.as_str()));
        if !hot {
            cold_of[i as usize] = Some(cold.len() as u32);
            cold.push(i);
        }
    }
    // The funcref table that gets a slot per cold function.
    let all_tables: Vec<wasmparser::TableType> = m.imported_tables.iter().copied().chain(m.tables.iter().map(|t| t.ty)).collect();
    let table = m.tables.iter().position(|t| t.ty.element_type == wasmparser::RefType::FUNCREF && !t.ty.table64);
    let Some(table) = table.map(|t| (m.imported_tables.len() + t) as u32) else { return Err("no funcref table".into()) };
    let base = all_tables[table as usize].initial;
    let base = u32::try_from(base).map_err(err)?;
    let grown = |t: u32, ty: wasmparser::TableType| {
        let mut ty = ty;
        if t == table {
            ty.initial += cold.len() as u64;
            ty.maximum = ty.maximum.map(|x| x + cold.len() as u64);
        }
        ty
    };

    // Primary: the same functions, cold ones as stubs.
    let load_ty = m.types.len() as u32;
    let load = imported;
    let loaded = (m.imported_globals.len() + m.globals.len()) as u32;
    let p = |x: u32| if x >= imported { x + 1 } else { x };
    let mut module = Module::new();
    Head {
        m: &m,
        extra_types: vec![(vec![], vec![])],
        extra_imports: vec![("load", load_ty)],
        grow: Some((table, cold.len() as u64)),
        extra_globals: vec![(GlobalType { val_type: ValType::I32, mutable: true, shared: false }, ConstExpr::i32_const(0))],
    }
    .encode(&mut module, 1)?;
    let mut code = CodeSection::new();
    let mut remap = Remap { func: |x| Ok(p(x)) };
    for (i, b) in m.bodies.iter().enumerate() {
        match cold_of[i] {
            None => code.function(&body(&mut remap, b, &[])?),
            Some(slot) => {
                let ty = m.funcs[i];
                let params = m.types[ty as usize].params().len() as u32;
                let mut f = Function::new([]);
                f.instruction(&Instruction::GlobalGet(loaded));
                f.instruction(&Instruction::I32Eqz);
                f.instruction(&Instruction::If(BlockType::Empty));
                f.instruction(&Instruction::Call(load));
                f.instruction(&Instruction::End);
                for l in 0..params {
                    f.instruction(&Instruction::LocalGet(l));
                }
                f.instruction(&Instruction::I32Const((base + slot) as i32));
                f.instruction(&Instruction::CallIndirect { type_index: ty, table_index: table });
                f.instruction(&Instruction::End);
                code.function(&f)
            }
        };
    }

    // What the cold bodies call in the primary module: each becomes an import of the cold
    // module, in the order first met.
    let mut needed: Vec<u32> = Vec::new();
    let mut import_of: BTreeMap<u32, u32> = BTreeMap::new();
    for &i in &cold {
        let b = &m.bodies[i as usize];
        let mut ops = b.get_operators_reader().map_err(err)?;
        while !ops.eof() {
            match ops.read().map_err(err)? {
                Operator::Call { function_index } | Operator::ReturnCall { function_index } => {
                    let target = function_index;
                    let is_cold = target >= imported && cold_of[(target - imported) as usize].is_some();
                    if !is_cold && !import_of.contains_key(&target) {
                        import_of.insert(target, needed.len() as u32);
                        needed.push(target);
                    }
                }
                Operator::RefFunc { .. } => return Err(format!("ref.func in cold function {}", imported + i)),
                Operator::MemoryInit { .. } | Operator::DataDrop { .. } => {
                    return Err(format!("memory.init/data.drop in cold function {}", imported + i))
                }
                Operator::TableInit { .. } | Operator::ElemDrop { .. } => {
                    return Err(format!("table.init/elem.drop in cold function {}", imported + i))
                }
                _ => {}
            }
        }
    }
    let mut extra = vec![("@loaded".to_string(), ExportKind::Global, loaded)];
    let memories = m.imported_memories.len() + m.memories.len();
    for i in 0..memories as u32 {
        extra.push((format!("@m{i}"), ExportKind::Memory, i));
    }
    for i in 0..all_tables.len() as u32 {
        extra.push((format!("@t{i}"), ExportKind::Table, i));
    }
    for i in 0..loaded {
        extra.push((format!("@g{i}"), ExportKind::Global, i));
    }
    for &f in &needed {
        extra.push((format!("@f{f}"), ExportKind::Func, p(f)));
    }
    tail(&mut module, &m, 1, &extra, &code)?;
    let primary = module.finish();

    // Cold: the moved bodies, which fill their slots of the table when instantiated.
    let mut rt = RoundtripReencoder;
    let mut module = Module::new();
    module.section(&RawSection { id: SectionId::Type as u8, data: m.types_raw });
    let mut imports = ImportSection::new();
    let all_memories: Vec<wasmparser::MemoryType> = m.imported_memories.iter().copied().chain(m.memories.iter().copied()).collect();
    for (i, t) in all_memories.iter().enumerate() {
        imports.import(PRIMARY, &format!("@m{i}"), EntityType::Memory(rt.memory_type(*t).map_err(err)?));
    }
    for (i, t) in all_tables.iter().enumerate() {
        imports.import(PRIMARY, &format!("@t{i}"), EntityType::Table(rt.table_type(grown(i as u32, *t)).map_err(err)?));
    }
    let all_globals: Vec<wasmparser::GlobalType> = m.imported_globals.iter().copied().chain(m.globals.iter().map(|g| g.ty)).collect();
    for (i, t) in all_globals.iter().enumerate() {
        imports.import(PRIMARY, &format!("@g{i}"), EntityType::Global(rt.global_type(*t).map_err(err)?));
    }
    let func_type = |f: u32| -> Res<u32> {
        if f >= imported {
            return Ok(m.funcs[(f - imported) as usize]);
        }
        let mut n = 0;
        for i in &m.imports {
            if let TypeRef::Func(t) = i.ty {
                if n == f {
                    return Ok(t);
                }
                n += 1;
            }
        }
        Err(format!("no function {f}"))
    };
    for &f in &needed {
        imports.import(PRIMARY, &format!("@f{f}"), EntityType::Function(func_type(f)?));
    }
    module.section(&imports);
    let mut funcs = FunctionSection::new();
    for &i in &cold {
        funcs.function(m.funcs[i as usize]);
    }
    module.section(&funcs);
    let n_imports = needed.len() as u32;
    let slots: Vec<u32> = (0..cold.len() as u32).map(|j| n_imports + j).collect();
    let mut elements = ElementSection::new();
    elements.active(Some(table), &ConstExpr::i32_const(base as i32), Elements::Functions(Cow::Borrowed(&slots)));
    module.section(&elements);
    let mut code = CodeSection::new();
    let mut remap = Remap {
        func: |x: u32| {
            if x >= imported {
                if let Some(j) = cold_of[(x - imported) as usize] {
                    return Ok(n_imports + j);
                }
            }
            import_of.get(&x).copied().ok_or_else(|| format!("function {x} not imported"))
        },
    };
    for &i in &cold {
        code.function(&body(&mut remap, &m.bodies[i as usize], &[])?);
    }
    module.section(&code);
    let cold_bytes = module.finish();

    for (what, bytes) in [("primary", &primary), ("cold", &cold_bytes)] {
        wasmparser::Validator::new().validate_all(bytes).map_err(|e| format!("the {what} module is not valid: {e}"))?;
    }
    write(primary_out, &primary)?;
    write(cold_out, &cold_bytes)?;
    eprintln!(
        "wasmsplit: {} of {} functions cold; primary {} B, cold {} B ({} imports)",
        cold.len(),
        m.funcs.len(),
        primary.len(),
        cold_bytes.len(),
        needed.len()
    );
    Ok(())
}
