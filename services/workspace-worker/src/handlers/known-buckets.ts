/** What a listing of the streams came to. */
export type ListingOutcome =
  /** The set is complete: a bucket not in it does not exist. */
  | "complete"
  /** A stream was deleted while listing: the pages, taken by offset, may have skipped a name. List again. */
  | "disturbed"
  /** A newer listing started, or announcements may have been missed since (forget). */
  | "superseded"
  /** More buckets than the set may hold: it stays incomplete for good. */
  | "overflow";

export interface KnownBucketsOptions {
  maxBuckets: number;
  /** The bucket a stream holds, or undefined for a stream that is none of ours. */
  bucketOf: (stream: string) => string | undefined;
  onOverflow: () => void;
}

/**
 * The buckets that exist, as a listing of the streams and the announcements of streams created and deleted since
 * make them, and whether that set is complete: only a complete set may say a bucket does not exist. Bookkeeping
 * only; CacheBucketsDirectory talks to NATS.
 */
export class KnownBuckets {
  private names = new Set<string>();
  private complete = false;
  /** The listing under way, and whether a stream was deleted since it started. */
  private listing?: { id: number; disturbed: boolean };
  private listings = 0;
  private overflowed = false;

  constructor(private readonly options: KnownBucketsOptions) {}

  get isComplete(): boolean {
    return this.complete;
  }

  get hasOverflowed(): boolean {
    return this.overflowed;
  }

  get size(): number {
    return this.names.size;
  }

  /** True only when the set is complete and `bucket` is not in it. */
  lacks(bucket: string): boolean {
    return this.complete && !this.names.has(bucket);
  }

  /** Starts a listing (voiding any other): nothing is known until it finishes. */
  startListing(): number {
    this.forget();
    this.listing = { id: ++this.listings, disturbed: false };
    return this.listing.id;
  }

  /** One stream the listing found; false when the listing should stop (superseded, or over the cap). */
  listed(id: number, stream: string): boolean {
    if (this.listing?.id !== id) return false;
    const bucket = this.options.bucketOf(stream);
    return bucket === undefined || this.add(bucket);
  }

  finishListing(id: number): ListingOutcome {
    if (this.overflowed) return "overflow";
    if (this.listing?.id !== id) return "superseded";
    const { disturbed } = this.listing;
    this.listing = undefined;
    if (disturbed) {
      this.names = new Set();
      return "disturbed";
    }
    this.complete = true;
    return "complete";
  }

  created(stream: string): void {
    const bucket = this.options.bucketOf(stream);
    // Otherwise the next listing finds it.
    if (bucket !== undefined && (this.complete || this.listing)) this.add(bucket);
  }

  deleted(stream: string): void {
    const bucket = this.options.bucketOf(stream);
    if (bucket !== undefined) this.names.delete(bucket);
    // Any stream: every later name moves up a place, so the next page may start one name too far.
    if (this.listing) this.listing.disturbed = true;
  }

  /** Announcements may be missed from now on (disconnected, not subscribed): nothing is known until a listing. */
  forget(): void {
    this.complete = false;
    this.listing = undefined;
    this.names = new Set();
  }

  private add(bucket: string): boolean {
    if (this.overflowed) return false;
    this.names.add(bucket);
    if (this.names.size <= this.options.maxBuckets) return true;
    this.overflowed = true;
    this.forget();
    this.options.onOverflow();
    return false;
  }
}
