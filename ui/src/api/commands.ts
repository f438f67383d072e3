// Request and response type of each command, from the generated `Commands` map.

import type { Commands } from "./types";

export type { CommandName } from "./types";
export type RequestOf<C extends keyof Commands> = Commands[C]["request"];
export type ResponseOf<C extends keyof Commands> = Commands[C]["response"];
