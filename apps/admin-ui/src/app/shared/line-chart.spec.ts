import { niceMax, polyline } from './line-chart';

describe('line chart', () => {
  it('rounds the axis up to 1, 2 or 5 times a power of ten', () => {
    expect(niceMax(0)).toBe(1);
    expect(niceMax(0.8)).toBe(1);
    expect(niceMax(7)).toBe(10);
    expect(niceMax(130)).toBe(200);
    expect(niceMax(4000)).toBe(5000);
  });

  it('places points over the window ending at the last time', () => {
    expect(polyline([0, 500, 1000], [0, 5, 10], 1000, 10)).toBe('0.0,140.0 300.0,70.0 600.0,0.0');
    expect(polyline([], [], 1000, 10)).toBe('');
  });
});
