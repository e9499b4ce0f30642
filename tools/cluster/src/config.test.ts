import { describe, expect, it } from "vitest";
import { clusterConfig } from "./config.ts";

describe("clusterConfig", () => {
  it("derives the node IP, the kubernetes Service IP and the pause image from the ranges", () => {
    const cfg = clusterConfig({ FIREWORKERS_CLUSTER_DIR: "/x" });
    expect(cfg).toMatchObject({
      dir: "/x",
      nodeIp: "10.244.0.1",
      apiServiceIp: "10.96.0.1",
      pauseImage: "10.244.0.1:5000/fireworkers/pause:3.10.1",
    });
    const other = clusterConfig({
      FIREWORKERS_CLUSTER_POD_CIDR: "172.30.8.0/22",
      FIREWORKERS_CLUSTER_SERVICE_CIDR: "10.100.0.0/24",
      FIREWORKERS_CLUSTER_REGISTRY_PORT: "5050",
    });
    expect(other).toMatchObject({ nodeIp: "172.30.8.1", apiServiceIp: "10.100.0.1", pauseImage: "172.30.8.1:5050/fireworkers/pause:3.10.1" });
  });

  it("rejects what is not an IPv4 range with room for hosts", () => {
    expect(() => clusterConfig({ FIREWORKERS_CLUSTER_POD_CIDR: "10.244.0.0" })).toThrow(/CIDR/);
    expect(() => clusterConfig({ FIREWORKERS_CLUSTER_POD_CIDR: "10.244.0.0/32" })).toThrow(/CIDR/);
    expect(() => clusterConfig({ FIREWORKERS_CLUSTER_SERVICE_CIDR: "fd00::/108" })).toThrow(/CIDR/);
  });
});
