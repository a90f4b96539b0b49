/** Why one object could not be converted; the message is shown to the user by the apiserver. */
export type ConversionFailure =
  | { readonly reason: 'NotAnObject' | 'BadApiVersion' | 'BadMetadata' | 'GroupMismatch'; readonly message: string }
  | { readonly reason: 'UnknownKind' | 'UnknownVersion'; readonly message: string }
  | {
      readonly reason: 'DecodeFailed';
      readonly message: string;
      readonly version: string;
      readonly paths: readonly string[];
    }
  | { readonly reason: 'ConverterFailed'; readonly message: string }
  | { readonly reason: 'StashTooLarge'; readonly message: string }
  | { readonly reason: 'TooDeep'; readonly message: string };

export type FailureReason = ConversionFailure['reason'];
