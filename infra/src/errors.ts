import { AppError } from '@commerce/common';

export class InfraError extends AppError {}

export function missingBinary(binary: string, install: string): InfraError {
  return new InfraError('unavailable', 'infra.missing_binary', `${binary} not found: install it with \`${install}\``, {
    retriable: false,
  });
}
