import { inject } from "vitest";
import { defineKvContractSuite } from "./test/kv-contract-suite.ts";

defineKvContractSuite(3, inject("env"));
