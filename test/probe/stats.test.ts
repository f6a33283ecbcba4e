import { expect } from "chai";
import fc from "fast-check";
import { costPer1000Predictions } from "../../engine/probe/run";
import { percentile, summarizeLatencies } from "../../engine/probe/stats";

const latencies = fc.array(fc.double({ min: 0, max: 60_000, noNaN: true }), {
  minLength: 1,
  maxLength: 500,
});
const percent = fc.double({ min: 0.001, max: 100, noNaN: true });

describe("latency statistics", () => {
  it("takes a percentile from the values, at or above that share of them", () => {
    fc.assert(
      fc.property(latencies, percent, (values, p) => {
        const sorted = [...values].sort((a, b) => a - b);
        const value = percentile(sorted, p);
        expect(sorted).to.include(value);
        const atOrBelow = sorted.filter((v) => v <= value).length;
        expect(atOrBelow / sorted.length).to.be.at.least(p / 100 - 1e-9);
        // Nearest rank: one value lower would leave less than p percent at or below it.
        const below = sorted.filter((v) => v < value).length;
        expect(below / sorted.length).to.be.below(p / 100 + 1e-9);
      }),
    );
  });

  it("orders min <= p50 <= p95 <= p99 <= max, with the mean between min and max", () => {
    fc.assert(
      fc.property(latencies, (values) => {
        const s = summarizeLatencies(values);
        if (s === undefined) throw new Error("no summary");
        expect(s.count).to.equal(values.length);
        expect(s.minMs).to.be.at.most(s.p50Ms);
        expect(s.p50Ms).to.be.at.most(s.p95Ms);
        expect(s.p95Ms).to.be.at.most(s.p99Ms);
        expect(s.p99Ms).to.be.at.most(s.maxMs);
        expect(s.meanMs).to.be.within(s.minMs - 0.01, s.maxMs + 0.01);
      }),
    );
  });

  it("does not depend on the order the answers came in", () => {
    fc.assert(
      fc.property(latencies, fc.integer(), (values, seed) => {
        const shuffled = [...values].sort(
          (a, b) => Math.sin(a * 1e3 + seed) - Math.sin(b * 1e3 + seed),
        );
        expect(summarizeLatencies(shuffled)).to.deep.equal(summarizeLatencies(values));
      }),
    );
  });

  it("gives every percentile of one value as that value, and nothing for no values", () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e6, noNaN: true }), percent, (value, p) => {
        expect(percentile([value], p)).to.equal(value);
      }),
    );
    expect(summarizeLatencies([])).to.equal(undefined);
    expect(() => percentile([], 50)).to.throw(RangeError);
    expect(() => percentile([1], 0)).to.throw("percentile 0 is outside (0, 100]");
  });

  it("takes the nearest rank on a known set", () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([50, 95, 99, 100].map((p) => percentile(values, p))).to.deep.equal([50, 95, 99, 100]);
    expect(percentile([10, 20, 30, 40], 50)).to.equal(20);
    expect(percentile([10, 20, 30, 40], 51)).to.equal(30);
  });
});

describe("cost per 1,000 predictions", () => {
  it("is the replicas' hourly price over the predictions they serve an hour", () => {
    // 2 replicas at 0.36 USD/h serving 10 predictions a second: 0.72 USD for 36,000.
    expect(costPer1000Predictions(0.36, 2, 10)).to.be.closeTo(0.02, 1e-12);
    expect(costPer1000Predictions(0.36, 2, 0)).to.equal(null);
  });

  it("halves when the throughput doubles, and doubles with the replicas", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.01, max: 100, noNaN: true }),
        fc.integer({ min: 1, max: 50 }),
        fc.double({ min: 0.01, max: 1e5, noNaN: true }),
        (hourly, replicas, rate) => {
          const base = costPer1000Predictions(hourly, replicas, rate) as number;
          expect(costPer1000Predictions(hourly, replicas, rate * 2)).to.be.closeTo(
            base / 2,
            base * 1e-9,
          );
          expect(costPer1000Predictions(hourly, replicas * 2, rate)).to.be.closeTo(
            base * 2,
            base * 1e-9,
          );
        },
      ),
    );
  });
});
