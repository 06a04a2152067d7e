// loader/jca: the JCA assembler (text → CAP components, byte-identical to Oracle's converter)
// and its archive writer. See README.md.

export { assembleAst, assembleJca, inferFormat, type AssembledCap, type AssembleOptions, type CapFormat } from './assemble.ts';
export { writeCapArchive, type ArchiveOptions } from './archive.ts';
export { JcaAssemblyError, JcaSyntaxError } from './errors.ts';
export { disassembleToJca, type DisassembleOptions } from './disassemble.ts';
export { parseJca } from './parser.ts';
export type { PackageAst } from './ast.ts';
