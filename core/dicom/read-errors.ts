// The error every DICOM reading failure becomes: a code and a message saying what is wrong.
export class DicomError extends Error {
  constructor(readonly code: 'not-dicom' | 'malformed' | 'truncated' | 'unsupported' | 'too-large', message: string) {
    super(message);
    this.name = 'DicomError';
  }
}
