import { z } from "zod";
import { ConfigError, toConfigError, type FeedbackConfig } from "../config";
import { DuplicateReceiverTypeError } from "./errors";
import { compileCondition } from "../pipeline/condition";
import type { ConfiguredReceiver, Receiver } from "../pipeline/receiver";

/** Builds a receiver of one type from its validated options. */
export interface ReceiverFactory<S extends z.ZodType = z.ZodType> {
  /** Schema of the entry's `options`; use `z.strictObject` so typos are errors at start. */
  readonly options: S;
  create(name: string, options: z.output<S>): Receiver;
}

const factories = new Map<string, ReceiverFactory>();

/** Makes a receiver type available to `receivers[].type` in the config. */
export const registerReceiver = <S extends z.ZodType>(type: string, factory: ReceiverFactory<S>): void => {
  if (factories.has(type)) throw new DuplicateReceiverTypeError(type);
  factories.set(type, factory as unknown as ReceiverFactory);
};

export const registeredReceiverTypes = (): string[] => [...factories.keys()].sort();

/**
 * Builds every configured receiver. An unknown type, invalid options or a
 * `when` that does not compile stop the program at start with the key's
 * path, never at the first event.
 */
export const createReceivers = (config: FeedbackConfig): ConfiguredReceiver[] =>
  config.receivers.map((entry, index) => {
    const factory = factories.get(entry.type);
    if (!factory) {
      throw new ConfigError(
        `receivers[${index}].type`,
        `receiver type "${entry.type}" is not supported (known: ${registeredReceiverTypes().join(", ")})`,
      );
    }
    const parsed = factory.options.safeParse(entry.options);
    if (!parsed.success) throw toConfigError(parsed.error, ["receivers", index, "options"]);
    if (entry.when !== undefined) compileCondition(entry.when, `receivers[${index}].when`);
    return { receiver: factory.create(entry.name, parsed.data), entry };
  });
