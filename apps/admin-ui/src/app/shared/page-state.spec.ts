import { TestBed } from '@angular/core/testing';
import { PageState } from './page-state';

describe('PageState', () => {
  it('shows an error with a way to try again', async () => {
    const fixture = TestBed.createComponent(PageState);
    fixture.componentRef.setInput('kind', 'error');
    fixture.componentRef.setInput('message', 'The broker cannot be reached.');
    let retried = 0;
    fixture.componentInstance.retry.subscribe(() => retried++);
    await fixture.whenStable();
    const element = fixture.nativeElement as HTMLElement;
    expect(element.querySelector('[role="alert"]')?.textContent).toContain('The broker cannot be reached.');
    element.querySelector('button')!.click();
    expect(retried).toBe(1);
  });

  it('shows what would fill an empty screen', async () => {
    const fixture = TestBed.createComponent(PageState);
    fixture.componentRef.setInput('kind', 'empty');
    fixture.componentRef.setInput('message', 'No client is connected.');
    await fixture.whenStable();
    expect((fixture.nativeElement as HTMLElement).textContent).toContain('No client is connected.');
  });
});
