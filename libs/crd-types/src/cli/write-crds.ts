// Writes deploy/crds from the kind definitions. A unit test fails when the committed files drift.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderCrdFiles } from "../crd-files.ts";

const dir = join(import.meta.dirname, "../../../../deploy/crds");
mkdirSync(dir, { recursive: true });
for (const [name, content] of renderCrdFiles()) writeFileSync(join(dir, name), content);
console.log(`wrote ${dir}`);
