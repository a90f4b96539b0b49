import { InvalidArgumentError } from 'commander';

/** A commander argument parser for a whole number from min to max (digits only: no 1e3, no 0x10). */
export const integerIn =
  (flag: string, min: number, max: number) =>
  (value: string): number => {
    const n = Number(value);
    if (!/^[0-9]+$/.test(value) || n < min || n > max)
      throw new InvalidArgumentError(`${flag} must be an integer from ${min} to ${max}`);
    return n;
  };
