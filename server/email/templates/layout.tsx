import { Body, Button, Container, Head, Heading, Hr, Html, Link, Preview, Text } from '@react-email/components';
import type { CSSProperties, ReactNode } from 'react';

// Inline styles only: most email clients drop <style> blocks. Colours keep at least 4.5:1 contrast.
const styles = {
  body: {
    backgroundColor: '#f4f5f7',
    fontFamily: '-apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif',
    margin: 0,
    padding: '24px 0',
  },
  container: { backgroundColor: '#ffffff', borderRadius: '8px', maxWidth: '560px', padding: '32px' },
  brand: { color: '#4b5563', fontSize: '14px', fontWeight: 600, margin: '0 0 16px' },
  heading: { color: '#111827', fontSize: '22px', lineHeight: '30px', margin: '0 0 16px' },
  paragraph: { color: '#1f2937', fontSize: '16px', lineHeight: '24px', margin: '0 0 16px' },
  button: { backgroundColor: '#1d4ed8', borderRadius: '6px', color: '#ffffff', fontSize: '16px', fontWeight: 600, padding: '12px 20px' },
  fallback: { color: '#4b5563', fontSize: '14px', lineHeight: '20px', margin: '24px 0 0', wordBreak: 'break-all' },
  link: { color: '#1d4ed8' },
  rule: { borderColor: '#e5e7eb', margin: '24px 0' },
  footer: { color: '#4b5563', fontSize: '13px', lineHeight: '20px', margin: 0 },
} satisfies Record<string, CSSProperties>;

/** The frame every ClientPulse email shares: brand line, one heading, the body, a footer. */
export function EmailLayout({
  preview,
  heading,
  footer,
  children,
}: {
  preview: string;
  heading: string;
  footer: string;
  children: ReactNode;
}) {
  return (
    <Html lang="en" dir="ltr">
      <Head />
      <Body style={styles.body}>
        <Preview>{preview}</Preview>
        <Container style={styles.container}>
          <Text style={styles.brand}>ClientPulse</Text>
          <Heading as="h1" style={styles.heading}>
            {heading}
          </Heading>
          {children}
          <Hr style={styles.rule} />
          <Text style={styles.footer}>{footer}</Text>
        </Container>
      </Body>
    </Html>
  );
}

export function Paragraph({ children }: { children: ReactNode }) {
  return <Text style={styles.paragraph}>{children}</Text>;
}

/** The one thing the email asks the reader to do, followed by the raw link for clients that mangle buttons. */
export function ActionButton({ href, label }: { href: string; label: string }) {
  return (
    <>
      <Button href={href} style={styles.button}>
        {label}
      </Button>
      {/* The plain-text version already shows the URL beside the button's label: skip it there. */}
      <Text style={styles.fallback} data-skip-in-text="true">
        {'If the button does not work, copy this link into your browser: '}
        <Link href={href} style={styles.link}>
          {href}
        </Link>
      </Text>
    </>
  );
}

/** "1 day", "7 days". */
export function countOf(count: number, unit: string): string {
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}
