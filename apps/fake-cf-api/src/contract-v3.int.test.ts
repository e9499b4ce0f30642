import { inject } from "vitest";
import { defineContractSuite } from "./test/contract-suite.ts";

defineContractSuite(3, inject("env"));
