import { uuidv7 } from "uuidv7";

/** Time-sortable random id (UUIDv7): rows sort by creation, ids reveal nothing else. */
export const newId = (): string => uuidv7();
