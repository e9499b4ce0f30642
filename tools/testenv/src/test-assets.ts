/** (i32, i32) -> i32 `add`, assembled by hand: the smallest real WebAssembly module. */
export const ADD_WASM = Buffer.from("0061736d0100000001070160027f7f017f030201000707010361646400000a09010700200020016a0b", "hex");
