import { inject } from "vitest";
import { defineContractSuite } from "./test/contract-suite.ts";

defineContractSuite(4, inject("env"));
